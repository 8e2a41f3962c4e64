import { describe, expect, it } from "vitest";
import { V3, call, createTopic, fetchStrings } from "../helpers";
import { runnelService } from "./helpers";

const app = () => runnelService("RUNNEL_APP");

describe("RunnelService, bound by another Worker (served open)", () => {
  it("produces: each record's partition, offset and timestamp; keys pick partitions as any produce", async () => {
    await createTopic("rs-produce", 3);
    const answer = await app().produce("rs-produce", [
      { key: "customer-42", value: { total: 42 }, headers: { source: "worker" } },
      { value: new TextEncoder().encode("bytes"), partition: 2, timestamp: 1_700_000_000_000 },
      { value: "text", partition: 2 },
    ]);
    expect(answer).toMatchObject({ ok: true, records: [{ partition: 0, offset: 0 }, { partition: 2, offset: 0, timestamp: 1_700_000_000_000 }, { partition: 2, offset: 1 }] });
    const read = await fetchStrings("rs-produce", 0, 0); // murmur2 of the key's bytes ("customer-42" as text) picks partition 0 of 3
    expect(read.body.records[0]).toMatchObject({ key: "customer-42", value: '{"total":42}', headers: [{ name: "source", value: btoa("worker") }] });
  });

  it("reads with fetchRecords as the HTTP fetch does, in the format asked", async () => {
    await createTopic("rs-fetch", 1);
    await app().produce("rs-fetch", [{ value: { n: 1 } }, { value: { n: 2 } }, { value: { n: 3 } }]);
    const answer = await app().fetchRecords("rs-fetch", 0, 1, { format: "json", maxRecords: 1, isolation: "read_committed" });
    expect(answer).toMatchObject({ ok: true, next_offset: 2, high_watermark: 3, log_start_offset: 0 });
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.records).toMatchObject([{ topic: "rs-fetch", partition: 0, offset: 1, value: { n: 2 } }]);
  });

  it("commits offsets to a group, seen by the group APIs", async () => {
    await createTopic("rs-commit", 1);
    await app().produce("rs-commit", [{ value: "a" }, { value: "b" }]);
    expect(await app().commit("rs-group", [{ topic: "rs-commit", partition: 0, offset: 1 }])).toEqual({ ok: true });
    const lags = await call("GET", `${V3}/consumer-groups/rs-group/lags`);
    expect(lags.body.data).toMatchObject([{ topic_name: "rs-commit", partition_id: 0, current_offset: 1, lag: 1 }]);
  });

  it.each([
    ["an unknown topic", () => app().produce("rs-none", [{ value: 1 }]), { error_code: 40401, error_name: "UNKNOWN_TOPIC_OR_PARTITION" }],
    ["records that are not an array", () => app().produce("rs-produce", "nope"), { error_code: 400, message: "records must be an array of records" }],
    ["a bad record", () => app().produce("rs-produce", [{ value: 1 }, { value: 2, partition: -1 }]), { error_code: 400, message: "records[1].partition must be a partition number" }],
    ["a partition the topic lacks", () => app().produce("rs-produce", [{ value: 1 }], { partition: 7 }), { error_code: 40402 }],
    ["bad acks", () => app().produce("rs-produce", [{ value: 1 }], { acks: 2 as never }), { error_code: 400, message: 'acks must be 0, 1, -1 or "all", got 2' }],
    ["a conditional append", () => app().produce("rs-produce", [{ value: 1 }], { expectedOffset: 0 }), { error_code: 400 }],
    ["the internal topic", () => app().produce("__consumer_offsets", [{ value: 1 }]), { error_code: 403, error_name: "INVALID_TOPIC_EXCEPTION" }],
    ["an offset past the end", () => app().fetchRecords("rs-fetch", 0, 99), { error_code: 41601, error_name: "OFFSET_OUT_OF_RANGE" }],
    ["an unknown format", () => app().fetchRecords("rs-fetch", 0, 0, { format: "xml" as never }), { error_code: 400 }],
    ["a commit without offsets", () => app().commit("rs-group", []), { error_code: 400 }],
  ])("answers %s with a failure result, not a thrown error, appending nothing", async (_what, attempt, failure) => {
    const before = (await call("GET", `${V3}/topics/rs-produce/partitions/2/offsets`)).body;
    expect(await attempt()).toMatchObject({ ok: false, ...failure });
    expect((await call("GET", `${V3}/topics/rs-produce/partitions/2/offsets`)).body).toEqual(before);
  });
});
