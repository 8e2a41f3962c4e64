import { describe, expect, it } from "vitest";
import { V3, call, createTopic, fetchStrings } from "../helpers";
import { SUBS, consumerWorker, until } from "./helpers";

const produce = (topic: string, values: unknown[], partition = 0) =>
  call("POST", `${V3}/topics/${topic}/records:batch`, { entries: values.map((v, i) => ({ id: String(i), partition_id: partition, key: { type: "JSON", data: `k${i}` }, value: { type: "JSON", data: v } })) });

const delivered = async (subscription: string) => (await consumerWorker().recent()).filter((b) => b.subscription === subscription);

describe("a worker target", () => {
  it("gets each batch through its service binding's deliver(); the example forwards them through RunnelService, in order", async () => {
    await createTopic("wt-orders", 2);
    await createTopic("ex-forwarded", 1);
    await produce("wt-orders", [{ n: 1 }, { n: 2 }], 0);
    await produce("wt-orders", [{ n: 3 }], 1);
    const made = await call("POST", SUBS, { name: "wt-one", topics: ["wt-orders"], target: { type: "worker", service: "CONSUMER" }, format: "json", start: "earliest", max_wait_ms: 0 });
    expect(made.status).toBe(201);
    expect(made.body.signing_secret).toBeUndefined(); // no secret for a worker target
    const batches = await until("both partitions", () => delivered("wt-one"), (b) => b.flatMap((x) => x.records).length === 3);
    const p0 = batches.find((b) => b.partition === 0)!;
    expect(p0).toMatchObject({ subscription: "wt-one", topic: "wt-orders", partition: 0 });
    expect(p0.records.map((r) => [r.offset, r.key, r.value])).toEqual([[0, "k0", { n: 1 }], [1, "k1", { n: 2 }]]);
    const forwarded = await until("3 forwarded", () => fetchStrings("ex-forwarded", 0, 0), (r) => r.body.records?.length === 3);
    const origins = forwarded.body.records.map((r: { headers: { name: string; value: string }[] }) => atob(r.headers[0]!.value));
    expect(origins.filter((o: string) => o.startsWith("wt-orders/0/"))).toEqual(["wt-orders/0/0", "wt-orders/0/1"]);
    await until("commits", async () => (await call("GET", `${SUBS}/wt-one`)).body.partitions, (p) => p[0].committed_offset === 2 && p[1].committed_offset === 1);
  });

  it("retries a batch its deliver() refused (by throwing), keeping order, until it is accepted", async () => {
    await createTopic("wt-retry", 1);
    await produce("wt-retry", ["a", "b"]);
    // Without its FORWARD_TO topic the example cannot forward, so its deliver() throws until the topic is there.
    await call("DELETE", `${V3}/topics/ex-forwarded`);
    const made = await call("POST", SUBS, { name: "wt-retry", topics: ["wt-retry"], target: { type: "worker", service: "CONSUMER" }, format: "json", start: "earliest", max_wait_ms: 0, retry_backoff_ms: 50, batch_records: 1 });
    expect(made.status).toBe(201);
    const errored = await until("a refusal", async () => (await call("GET", `${SUBS}/wt-retry`)).body.last_error, (e) => e !== null);
    expect(errored).toMatchObject({ topic: "wt-retry", partition: 0, offset: 0 });
    expect(errored.message).toMatch(/^CONSUMER\.deliver\(\) failed: .*forwarding to ex-forwarded failed: topic 'ex-forwarded' does not exist/);
    await createTopic("ex-forwarded", 1);
    const batches = await until("both records", () => delivered("wt-retry"), (b) => b.length === 2);
    expect(batches.map((b) => b.records.map((r) => r.value))).toEqual([["a"], ["b"]]);
    const forwarded = await until("2 forwarded", () => fetchStrings("ex-forwarded", 0, 0), (r) => r.body.records?.length === 2);
    expect(forwarded.body.records.map((r: { value: string }) => r.value)).toEqual(["a", "b"]);
  });
});
