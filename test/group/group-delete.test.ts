// Kafka's DeleteGroups and OffsetDelete over HTTP (DELETE …/consumer-groups/{g},
// POST …/consumer-groups/{g}/offsets:delete): a group goes only once it has
// no members, with its committed offsets; a topic's offsets go only while no
// member subscribes to it; both leave Kafka's tombstones in __consumer_offsets.
import { describe, expect, it } from "vitest";
import { offsetsPartitionFor } from "../../src/group/offsets-topic";
import { call, createTopic, V3 } from "../helpers";
import { consumer, subscribe, waitFor } from "./helpers";
import { commit, fetchOffsets, joinAndSync, leave } from "./kafka-helpers";

const group = (g: string) => `${V3}/consumer-groups/${g}`;
const deleteOffsets = (g: string, body: unknown) => call("POST", `${group(g)}/offsets:delete`, body);

/** The committed offsets of `topic`'s partitions 0 and 1, as OffsetFetch answers (-1: none). */
async function committed(g: string, topic: string): Promise<number[]> {
  const res = await fetchOffsets(g, [{ topic, partitions: [0, 1] }]);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.offsets.map((o: { offset: number }) => o.offset);
}

/** Waits until `count` commits of the group are in __consumer_offsets (the coordinator appends them within a second). */
async function logged(g: string, count: number): Promise<void> {
  await waitFor(`${count} commits of ${g} in __consumer_offsets`, async () => (await offsetsKeys(g, false)).length >= count, 15_000);
}

/** The keys of the group's records in __consumer_offsets — tombstones (null values) or, without `tombstone`, its commits — as "offset topic-partition" or "group". */
async function offsetsKeys(g: string, tombstone: boolean): Promise<string[]> {
  const res = await call("GET", `${V3}/topics/__consumer_offsets/partitions/${offsetsPartitionFor(g)}/records?offset=0&format=binary&max_bytes=16777216`);
  if (res.status !== 200) return [];
  return res.body.records
    .filter((r: { value: string | null }) => (r.value === null) === tombstone)
    .map((r: { key: string }) => {
      const key = Uint8Array.from(atob(r.key), (ch) => ch.charCodeAt(0));
      const view = new DataView(key.buffer);
      const text = (at: number) => new TextDecoder().decode(key.subarray(at + 2, at + 2 + view.getInt16(at)));
      const name = text(2);
      if (name !== g) return null;
      if (view.getInt16(0) === 2) return "group";
      const topicAt = 4 + view.getInt16(2);
      return `offset ${text(topicAt)}-${view.getInt32(topicAt + 2 + view.getInt16(topicAt))}`;
    })
    .filter((k: string | null) => k !== null && (tombstone || k !== "group"))
    .sort();
}

const tombstones = (g: string) => offsetsKeys(g, true);

describe("DELETE …/consumer-groups/{g}", () => {
  it("refuses a group with members (NON_EMPTY_GROUP), then deletes it with its offsets once they left, tombstoned", async () => {
    await createTopic("gd-t", 2);
    const m = await joinAndSync("gd-group", { topics: ["gd-t"] });
    expect((await commit("gd-group", m.memberId, m.generation, [{ topic: "gd-t", partition: 0, offset: 3 }, { topic: "gd-t", partition: 1, offset: 5 }])).status).toBe(200);

    await logged("gd-group", 2);
    const busy = await call("DELETE", group("gd-group"));
    expect([busy.status, busy.body.error_code, busy.body.error_name]).toEqual([409, 40903, "NON_EMPTY_GROUP"]);
    expect(await committed("gd-group", "gd-t")).toEqual([3, 5]);

    expect((await leave("gd-group", m.memberId)).status).toBe(200);
    const deleted = await call("DELETE", group("gd-group"));
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    const gone = await call("GET", group("gd-group"));
    expect([gone.status, gone.body.error_code]).toEqual([404, 40405]);
    expect((await call("GET", `${V3}/consumer-groups`)).body.data.map((g: { consumer_group_id: string }) => g.consumer_group_id)).not.toContain("gd-group");
    expect(await tombstones("gd-group")).toEqual(["group", "offset gd-t-0", "offset gd-t-1"]);

    // Used again, it starts afresh: no offsets of before, listed again.
    expect(await committed("gd-group", "gd-t")).toEqual([-1, -1]);
    expect((await commit("gd-group", "", -1, [{ topic: "gd-t", partition: 0, offset: 1 }])).status).toBe(200);
    expect((await call("GET", group("gd-group"))).status).toBe(200);
    expect(await committed("gd-group", "gd-t")).toEqual([1, -1]);
  });

  it("refuses a group with an HTTP consumer instance, and answers GROUP_ID_NOT_FOUND for a group that never was", async () => {
    await createTopic("gd-http");
    const instance = await consumer("gd-http-group");
    await subscribe(instance, ["gd-http"]);
    const busy = await call("DELETE", group("gd-http-group"));
    expect([busy.status, busy.body.error_name]).toEqual([409, "NON_EMPTY_GROUP"]);
    expect((await call("DELETE", instance)).status).toBe(204);
    expect((await call("DELETE", group("gd-http-group"))).status).toBe(204);

    const never = await call("DELETE", group("gd-never"));
    expect([never.status, never.body.error_code, never.body.error_name]).toEqual([404, 40405, "GROUP_ID_NOT_FOUND"]);
  });
});

describe("POST …/consumer-groups/{g}/offsets:delete", () => {
  it("refuses a topic a member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC), and deletes another topic's offsets, tombstoned", async () => {
    await createTopic("od-sub", 2);
    await createTopic("od-old", 2);
    // Offsets stored with no member (as kafka-consumer-groups --reset-offsets stores them), then a member subscribes to one topic.
    const offsets = [0, 1].flatMap((partition) => [{ topic: "od-sub", partition, offset: 4 }, { topic: "od-old", partition, offset: 7 }]);
    expect((await commit("od-group", "", -1, offsets)).status).toBe(200);
    await joinAndSync("od-group", { topics: ["od-sub"] });
    await logged("od-group", 4);

    const subscribed = await deleteOffsets("od-group", { topic: "od-sub" });
    expect([subscribed.status, subscribed.body.error_code, subscribed.body.error_name]).toEqual([409, 40903, "GROUP_SUBSCRIBED_TO_TOPIC"]);
    expect(await committed("od-group", "od-sub")).toEqual([4, 4]);

    const one = await deleteOffsets("od-group", { topic: "od-old", partitions: [1] });
    expect([one.status, one.body]).toEqual([200, { data: [{ topic_name: "od-old", partition_id: 1 }] }]);
    expect(await committed("od-group", "od-old")).toEqual([7, -1]);
    const rest = await deleteOffsets("od-group", { topic: "od-old" });
    expect(rest.body).toEqual({ data: [{ topic_name: "od-old", partition_id: 0 }] });
    expect(await committed("od-group", "od-old")).toEqual([-1, -1]);
    expect(await tombstones("od-group")).toEqual(["offset od-old-0", "offset od-old-1"]);
    expect(await committed("od-group", "od-sub")).toEqual([4, 4]); // the member's own offsets are untouched
  });

  it("refuses an unknown group, topic or partition and a bad body, deleting nothing", async () => {
    await createTopic("od-bad", 2);
    expect((await commit("od-bad-group", "", -1, [{ topic: "od-bad", partition: 0, offset: 2 }])).status).toBe(200);
    const refusals = [
      [await deleteOffsets("od-never", { topic: "od-bad" }), 404, 40405],
      [await deleteOffsets("od-bad-group", { topic: "od-missing" }), 404, 40401],
      [await deleteOffsets("od-bad-group", { topic: "od-bad", partitions: [2] }), 404, 40402],
      [await deleteOffsets("od-bad-group", { partitions: [0] }), 400, 400],
      [await deleteOffsets("od-bad-group", { topic: "od-bad", partitions: [-1] }), 400, 400],
    ] as const;
    for (const [res, status, code] of refusals) expect([res.status, res.body.error_code], JSON.stringify(res.body)).toEqual([status, code]);
    expect(await committed("od-bad-group", "od-bad")).toEqual([2, -1]);
    expect(await tombstones("od-bad-group")).toEqual([]);
  });
});
