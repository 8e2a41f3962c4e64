// A partition leader's answers to Kafka's admin questions over HTTP:
// where a leader epoch ends (OffsetForLeaderEpoch: GET …/leader-epochs/{e})
// and the idempotent producers it remembers (DescribeProducers: GET
// …/producers), read from the leader's own log and producer state.
import { afterEach, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { idempotentBatch, join, newProducer, postBatches } from "./idempotence-helpers";
import { acked, fault, partition, produce, waitFor } from "./helpers";

const P = (topic: string, p = 0) => `${V3}/topics/${topic}/partitions/${p}`;
const epochEnd = (topic: string, epoch: number, current?: number) => call("GET", `${P(topic)}/leader-epochs/${epoch}${current === undefined ? "" : `?current_leader_epoch=${current}`}`);

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});

describe("GET …/partitions/{p}/leader-epochs/{e}", () => {
  it("answers where each leader epoch ends, across a failover, and fences a stale or future current epoch", async () => {
    await createTopic("pse-epochs", 1, [{ name: "replica.lag.time.max.ms", value: "1000" }], 3);
    for (const v of ["a", "b"]) expect(acked(await produce("pse-epochs", [v]))).toBe(true);
    const first = (await partition("pse-epochs")).leader_epoch as number;
    expect((await epochEnd("pse-epochs", first)).body).toEqual({ topic_name: "pse-epochs", partition_id: 0, leader_epoch: first, end_offset: 2 });

    await fault((await partition("pse-epochs")).leader.broker_id, "down");
    await waitFor("a batch in a later epoch", async () => acked(await produce("pse-epochs", ["c"], { key: "pse-c" })));
    expect(acked(await produce("pse-epochs", ["d"]))).toBe(true);
    const now = (await partition("pse-epochs")).leader_epoch as number;
    expect(now).toBeGreaterThan(first);

    // The older epoch ends where the newer one's first batch starts; the leader's own ends at the log end.
    expect((await epochEnd("pse-epochs", first)).body).toMatchObject({ leader_epoch: first, end_offset: 2 });
    expect((await epochEnd("pse-epochs", now, now)).body).toMatchObject({ leader_epoch: now, end_offset: 4 });
    // An epoch between the two that wrote nothing here: the largest one below it that did, and where that one ends.
    if (now - first > 1) expect((await epochEnd("pse-epochs", now - 1)).body).toMatchObject({ leader_epoch: first, end_offset: 2 });
    expect((await epochEnd("pse-epochs", now + 1)).body).toMatchObject({ leader_epoch: -1, end_offset: -1 });

    const fenced = await epochEnd("pse-epochs", first, first);
    expect([fenced.status, fenced.body.error_code, fenced.body.error_name]).toEqual([500, 50003, "FENCED_LEADER_EPOCH"]);
    const unknown = await epochEnd("pse-epochs", first, now + 1);
    expect([unknown.status, unknown.body.error_code, unknown.body.error_name]).toEqual([500, 50003, "UNKNOWN_LEADER_EPOCH"]);
  });

  it("refuses an epoch that is not a number, and an unknown partition or topic", async () => {
    await createTopic("pse-bad");
    expect((await call("GET", `${P("pse-bad")}/leader-epochs/x`)).status).toBe(400);
    expect((await call("GET", `${P("pse-bad")}/leader-epochs/0?current_leader_epoch=-2`)).status).toBe(400);
    expect((await call("GET", `${P("pse-bad", 1)}/leader-epochs/0`)).body.error_code).toBe(40402);
    expect((await call("GET", `${P("pse-missing")}/leader-epochs/0`)).body.error_code).toBe(40401);
  });
});

describe("GET …/partitions/{p}/producers", () => {
  it("lists each idempotent producer the leader remembers: its epoch, last sequence and last batch's time", async () => {
    await createTopic("psp-producers");
    expect((await call("GET", `${P("psp-producers")}/producers`)).body).toEqual({ topic_name: "psp-producers", partition_id: 0, data: [] });
    const [a, b] = [await newProducer(), await newProducer()];
    const t = Date.now() - 60_000;
    expect((await postBatches("psp-producers", idempotentBatch(a, 0, 0, ["a0", "a1"], t))).status).toBe(200);
    expect((await postBatches("psp-producers", idempotentBatch(b, 0, 0, ["b0"], t + 1))).status).toBe(200);
    expect((await postBatches("psp-producers", join(idempotentBatch(a, 0, 2, ["a2"], t + 2), idempotentBatch(a, 0, 3, ["a3", "a4"], t + 3)))).status).toBe(200);
    expect(acked(await produce("psp-producers", ["not idempotent"]))).toBe(true);

    const res = await call("GET", `${P("psp-producers")}/producers`);
    expect(res.body.data).toEqual(
      [
        { producer_id: a, producer_epoch: 0, last_sequence: 4, last_timestamp: t + 3 },
        { producer_id: b, producer_epoch: 0, last_sequence: 0, last_timestamp: t + 1 },
      ].sort((x, y) => x.producer_id - y.producer_id),
    );
    expect((await call("GET", `${P("psp-producers", 3)}/producers`)).body.error_code).toBe(40402);
  });
});
