import { describe, expect, it } from "vitest";
import { V3, call, createTopic, fetchStrings } from "../helpers";
import { SUBS, received, until, webhookSubscription } from "./helpers";

type Pushed = { partition: number; records: { offset: number; value: unknown; key: unknown }[] };

const bodies = async (hook: string): Promise<Pushed[]> => (await received(hook)).filter((r) => r.answered === 200).map((r) => JSON.parse(r.body));
const produce = (topic: string, values: unknown[], type = "JSON") =>
  call("POST", `${V3}/topics/${topic}/records:batch`, { entries: values.map((v, i) => ({ id: String(i), partition_id: 0, value: { type, data: v } })) });

describe("batches", () => {
  it("wait up to max_wait_ms to fill, and go at once when full", async () => {
    await createTopic("bt-wait", 1);
    await webhookSubscription("bt-wait", ["bt-wait"], { batch_records: 10, max_wait_ms: 800, format: "json" });
    const producedMs = Date.now();
    await produce("bt-wait", [1, 2, 3]);
    const [first] = await until("a partial batch", () => bodies("bt-wait"), (b) => b.length === 1);
    expect(first!.records.map((r) => r.value)).toEqual([1, 2, 3]);
    const [arrival] = await received("bt-wait");
    expect(arrival!.at - producedMs).toBeGreaterThanOrEqual(800);
    const fullMs = Date.now();
    await produce("bt-wait", Array.from({ length: 10 }, (_, i) => i));
    const all = await until("a full batch", () => bodies("bt-wait"), (b) => b.length === 2);
    expect(all[1]!.records).toHaveLength(10);
    expect((await received("bt-wait"))[1]!.at - fullMs).toBeLessThan(800);
    // A partial batch waiting is sent as soon as records arriving fill it.
    await produce("bt-wait", [1, 2]);
    const filledMs = Date.now();
    await produce("bt-wait", Array.from({ length: 8 }, (_, i) => i));
    const three = await until("the filled batch", () => bodies("bt-wait"), (b) => b.length === 3);
    expect(three[2]!.records).toHaveLength(10);
    expect((await received("bt-wait"))[2]!.at - filledMs).toBeLessThan(700);
  });

  it("hold records back until delivery_delay_ms after they were written", async () => {
    await createTopic("bt-delay", 1);
    await webhookSubscription("bt-delay", ["bt-delay"], { max_wait_ms: 0, delivery_delay_ms: 700 });
    await produce("bt-delay", ["late"]);
    const producedMs = Date.now();
    await until("the record", () => bodies("bt-delay"), (b) => b.length === 1);
    const [arrival] = await received("bt-delay");
    expect(arrival!.at - producedMs).toBeGreaterThanOrEqual(600); // the record's timestamp is a little before the produce answered
  });

  it("carry at most batch_bytes of records (at least one)", async () => {
    await createTopic("bt-bytes", 1);
    await produce("bt-bytes", ["a".repeat(300), "b".repeat(300), "c".repeat(300)], "STRING");
    await webhookSubscription("bt-bytes", ["bt-bytes"], { start: "earliest", max_wait_ms: 0, batch_bytes: 700, format: "string" });
    const pushed = await until("3 records", () => bodies("bt-bytes"), (b) => b.flatMap((p) => p.records).length === 3);
    expect(pushed.map((p) => p.records.length)).toEqual([1, 1, 1]); // two of ~380 bytes each are over 700
  });

  it("send a record the format cannot show straight to the dead letters (no retries), then go on", async () => {
    await createTopic("bt-json", 1);
    await createTopic("bt-json-dlq", 1);
    await produce("bt-json", ["not json"], "STRING");
    await produce("bt-json", [{ ok: true }]);
    await webhookSubscription("bt-json", ["bt-json"], { start: "earliest", max_wait_ms: 0, format: "json", dead_letter_topic: "bt-json-dlq" });
    const pushed = await until("the JSON record", () => bodies("bt-json"), (b) => b.length === 1);
    expect(pushed[0]!.records).toMatchObject([{ offset: 1, value: { ok: true } }]);
    const dead = await until("the dead letter", () => fetchStrings("bt-json-dlq", 0, 0), (r) => r.body.records?.length === 1);
    expect(dead.body.records[0].value).toBe("not json");
    const error = atob(dead.body.records[0].headers.find((h: { name: string }) => h.name === "runnel-dlq-error").value);
    expect(error).toContain("record at offset 0 of topic 'bt-json' partition 0 is not JSON");
    expect((await call("GET", `${SUBS}/bt-json`)).body.partitions[0]).toMatchObject({ committed_offset: 2, lag: 0 });
  });
});
