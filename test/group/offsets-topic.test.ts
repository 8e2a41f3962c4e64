// __consumer_offsets as Kafka writes it (API.md "Kafka protocol"): every
// group's commits — an HTTP instance's, a Kafka member's — and its group
// metadata, in Kafka's key/value formats, on the partition Kafka would
// choose (abs(hashCode) % 50), read back through the ordinary fetch path;
// and the topic is internal: readable, never writable.
import { describe, expect, it } from "vitest";
import { offsetsPartitionFor } from "../../src/group/offsets-topic";
import { call, createTopic, V3 } from "../helpers";
import { consumer, fill, subscribe, waitFor } from "./helpers";
import { commit } from "./kafka-helpers";

const OFFSETS = "__consumer_offsets";

/** Reads Kafka's non-flexible fields, big-endian. */
class Reader {
  private at = 0;
  private readonly v: DataView;
  constructor(private readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  int16 = () => this.step(2, this.v.getInt16(this.at));
  int32 = () => this.step(4, this.v.getInt32(this.at));
  int64 = () => this.step(8, Number(this.v.getBigInt64(this.at)));
  string = (): string | null => {
    const n = this.int16();
    return n < 0 ? null : new TextDecoder().decode(this.b.subarray(this.at, (this.at += n)));
  };
  bytes = () => {
    const n = this.int32();
    return this.b.subarray(this.at, (this.at += n));
  };
  done = () => this.at === this.b.length;
  private step<T>(n: number, value: T): T {
    this.at += n;
    return value;
  }
}

const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** Every record of the group's partition of __consumer_offsets, keys and values decoded as Kafka's GroupMetadataManager reads them. */
async function offsetsRecords(group: string) {
  const p = offsetsPartitionFor(group);
  const res = await call("GET", `${V3}/topics/${OFFSETS}/partitions/${p}/records?offset=0&format=binary&max_bytes=16777216`);
  if (res.status !== 200) return [];
  return res.body.records.map((r: { key: string; value: string }) => {
    const k = new Reader(bytesOf(r.key));
    const keyVersion = k.int16();
    const v = new Reader(bytesOf(r.value));
    const valueVersion = v.int16();
    if (keyVersion === 1) {
      const key = { group: k.string(), topic: k.string(), partition: k.int32() };
      const value = { offset: v.int64(), leaderEpoch: v.int32(), metadata: v.string(), commitTimestamp: v.int64() };
      return { kind: "offset", keyVersion, valueVersion, ...key, ...value, whole: k.done() && v.done() };
    }
    const key = { group: k.string() };
    const head = { protocolType: v.string(), generation: v.int32(), protocol: v.string(), leader: v.string(), currentStateTimestamp: v.int64() };
    const members = Array.from({ length: v.int32() }, () => ({
      memberId: v.string(), groupInstanceId: v.string(), clientId: v.string(), clientHost: v.string(), rebalanceTimeout: v.int32(), sessionTimeout: v.int32(),
      subscription: v.bytes(), assignment: v.bytes(),
    }));
    return { kind: "group", keyVersion, valueVersion, ...key, ...head, members, whole: k.done() && v.done() };
  }).filter((r: { group: string }) => r.group === group);
}

describe("__consumer_offsets", () => {
  it("holds every group's commits and metadata in Kafka's formats, on Kafka's partition for the group", async () => {
    await createTopic("ot-t", 2);
    await fill("ot-t", 2, 3);
    const m = await consumer("ot-http", { "auto.offset.reset": "earliest", "auto.commit.enable": "false" });
    await subscribe(m, ["ot-t"]);
    expect((await call("POST", `${m}/offsets`, { offsets: [{ topic: "ot-t", partition: 1, offset: 1 }] })).status).toBe(200);
    // A Kafka client's commit (generation -1: offsets only, as kafka-consumer-groups --reset-offsets does), with metadata.
    expect((await commit("ot-kafka", "", -1, [{ topic: "ot-t", partition: 0, offset: 3, metadata: "tool" }])).status).toBe(200);

    const http = await waitFor("the HTTP group's records", async () => {
      const rs = await offsetsRecords("ot-http");
      return rs.some((r: { kind: string }) => r.kind === "offset") && rs.some((r: { kind: string }) => r.kind === "group") ? rs : null;
    }, 15_000);
    expect(http.find((r: { kind: string }) => r.kind === "offset")).toMatchObject({ keyVersion: 1, valueVersion: 3, group: "ot-http", topic: "ot-t", partition: 1, offset: 2, leaderEpoch: -1, metadata: "", whole: true });
    const group = http.findLast((r: { kind: string }) => r.kind === "group");
    expect(group).toMatchObject({ keyVersion: 2, valueVersion: 3, protocolType: "consumer", protocol: "range", whole: true });
    expect(group.members).toHaveLength(1);
    expect(group.members[0]).toMatchObject({ memberId: m.split("/").pop(), groupInstanceId: null, clientId: "http", sessionTimeout: 45_000 });

    const kafka = await waitFor("the Kafka group's commit", async () => ((await offsetsRecords("ot-kafka")).length > 0 ? offsetsRecords("ot-kafka") : null), 15_000);
    expect(kafka).toContainEqual(expect.objectContaining({ kind: "offset", group: "ot-kafka", topic: "ot-t", partition: 0, offset: 3, metadata: "tool" }));

    const topic = (await call("GET", `${V3}/topics/${OFFSETS}`)).body;
    expect(topic).toMatchObject({ is_internal: true, partitions_count: 50 });
    expect(offsetsPartitionFor("ot-http")).toBe(javaPartition("ot-http"));
  });

  it("is readable, never writable: produce, delete, trim, grow, configs and creation are 403 naming it internal", async () => {
    await waitFor("the offsets topic", async () => (await call("GET", `${V3}/topics/${OFFSETS}`)).status === 200, 15_000);
    expect((await call("GET", `${V3}/topics/${OFFSETS}/partitions/0/records?offset=0`)).status).toBe(200);
    const refusals = [
      await call("POST", `${V3}/topics/${OFFSETS}/records`, { value: { type: "STRING", data: "x" } }),
      await call("POST", `/topics/${OFFSETS}`, { records: [{ value: 1 }] }, { "content-type": "application/vnd.kafka.json.v2+json" }),
      await call("DELETE", `${V3}/topics/${OFFSETS}`),
      await call("POST", `${V3}/topics/${OFFSETS}/partitions/0/records:delete-before`, { offset: -1 }),
      await call("PATCH", `${V3}/topics/${OFFSETS}`, { partitions_count: 60 }),
      await call("POST", `${V3}/topics/${OFFSETS}/configs:alter`, { data: [{ name: "retention.ms", value: "1" }] }),
      await call("POST", `${V3}/topics`, { topic_name: OFFSETS, partitions_count: 1 }),
    ];
    for (const r of refusals) expect([r.status, r.body.error_code, r.body.message]).toEqual([403, 403, expect.stringMatching(/'__consumer_offsets' is internal/)]);
    expect((await call("GET", `${V3}/topics/${OFFSETS}`)).body.partitions_count).toBe(50);
  });
});

/** Kafka's partition for a group, computed the way Java does (an independent reference for offsetsPartitionFor). */
function javaPartition(group: string): number {
  let h = 0n;
  for (const ch of group) h = BigInt.asIntN(32, h * 31n + BigInt(ch.charCodeAt(0)));
  const n = Number(h);
  return (n === -2147483648 ? 0 : Math.abs(n)) % 50;
}
