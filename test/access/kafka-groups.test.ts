// Kafka's group routes (…/consumer-groups/{g}/kafka/…, what the front door
// calls) with authentication on: beyond READ on the group (the router's
// rules), a commit needs READ on each topic and an offset fetch DESCRIBE,
// as Kafka checks them — each topic refused on its own as
// TOPIC_AUTHORIZATION_FAILED, and left out of an all-topics fetch.
import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

const kafka = (group: string) => `${V3}/consumer-groups/${group}/kafka`;
const commit = (key: string, group: string, topics: string[]) =>
  as(key, "POST", `${kafka(group)}/commit`, { member_id: "", generation_id: -1, offsets: topics.map((topic) => ({ topic, partition: 0, offset: 0, metadata: null })) });
const fetchOffsets = (key: string, group: string, topics: string[] | null) =>
  as(key, "POST", `${kafka(group)}/offsets`, { topics: topics === null ? null : topics.map((topic) => ({ topic, partitions: [0] })) });

describe("Kafka group routes with authentication on", () => {
  it("commit and fetch only the topics the principal may read or describe, answering the others TOPIC_AUTHORIZATION_FAILED", async () => {
    await adminTopic("ka-open");
    await adminTopic("ka-secret");
    const kim = await keyFor("User:kim-ka");
    await allow("User:kim-ka", "GROUP", "ka-g", "READ");
    await allow("User:kim-ka", "TOPIC", "ka-open", "READ");

    const mixed = await commit(kim, "ka-g", ["ka-open", "ka-secret"]);
    expect(mixed.status).toBe(200);
    expect(mixed.body.partitions).toEqual([
      { topic: "ka-open", partition: 0, error: null },
      { topic: "ka-secret", partition: 0, error: "TOPIC_AUTHORIZATION_FAILED" },
    ]);
    expect((await commit(kim, "ka-g", ["ka-secret"])).body.partitions).toEqual([{ topic: "ka-secret", partition: 0, error: "TOPIC_AUTHORIZATION_FAILED" }]);
    // Nothing was stored for the refused topic.
    expect((await fetchOffsets(ADMIN, "ka-g", ["ka-secret"])).body.offsets).toEqual([{ topic: "ka-secret", partition: 0, offset: -1, metadata: "", error: null }]);

    expect((await fetchOffsets(kim, "ka-g", ["ka-open", "ka-secret"])).body.offsets).toEqual([
      { topic: "ka-open", partition: 0, offset: 0, metadata: "", error: null },
      { topic: "ka-secret", partition: 0, offset: -1, metadata: "", error: "TOPIC_AUTHORIZATION_FAILED" },
    ]);
    // An all-topics fetch leaves out what the principal may not describe, though it is committed.
    expect((await commit(ADMIN, "ka-g", ["ka-secret"])).body.partitions).toEqual([{ topic: "ka-secret", partition: 0, error: null }]);
    expect((await fetchOffsets(ADMIN, "ka-g", null)).body.offsets.map((o: { topic: string }) => o.topic).sort()).toEqual(["ka-open", "ka-secret"]);
    expect((await fetchOffsets(kim, "ka-g", null)).body.offsets.map((o: { topic: string }) => o.topic)).toEqual(["ka-open"]);
  });
});
