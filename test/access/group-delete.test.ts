// Kafka's DeleteGroups and OffsetDelete over HTTP with authentication on:
// DELETE on the group for both, and READ on the topic for OffsetDelete, as
// Kafka authorizes them; a denial is named for the resource denied.
import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

const commit = (key: string, group: string, topic: string) =>
  as(key, "POST", `${V3}/consumer-groups/${group}/kafka/commit`, { member_id: "", generation_id: -1, offsets: [{ topic, partition: 0, offset: 1, metadata: null }] });

describe("deleting groups and their offsets with authentication on", () => {
  it("needs DELETE on the group (and READ on the topic to delete its offsets)", async () => {
    await adminTopic("gda-t");
    expect((await commit(ADMIN, "gda-g", "gda-t")).status).toBe(200);
    const kim = await keyFor("User:kim-gda");

    const noGroup = await as(kim, "DELETE", `${V3}/consumer-groups/gda-g`);
    expect([noGroup.status, noGroup.body.error_code, noGroup.body.error_name]).toEqual([403, 40301, "GROUP_AUTHORIZATION_FAILED"]);
    const noGroupOffsets = await as(kim, "POST", `${V3}/consumer-groups/gda-g/offsets:delete`, { topic: "gda-t" });
    expect([noGroupOffsets.status, noGroupOffsets.body.error_name]).toEqual([403, "GROUP_AUTHORIZATION_FAILED"]);

    await allow("User:kim-gda", "GROUP", "gda-g", "DELETE");
    const noTopic = await as(kim, "POST", `${V3}/consumer-groups/gda-g/offsets:delete`, { topic: "gda-t" });
    expect([noTopic.status, noTopic.body.error_name, noTopic.body.message]).toEqual([403, "TOPIC_AUTHORIZATION_FAILED", "not authorized: User:kim-gda may not READ TOPIC 'gda-t'"]);

    await allow("User:kim-gda", "TOPIC", "gda-t", "READ");
    const deleted = await as(kim, "POST", `${V3}/consumer-groups/gda-g/offsets:delete`, { topic: "gda-t" });
    expect([deleted.status, deleted.body]).toEqual([200, { data: [{ topic_name: "gda-t", partition_id: 0 }] }]);
    expect((await as(kim, "DELETE", `${V3}/consumer-groups/gda-g`)).status).toBe(204);
    const audit = await as(ADMIN, "GET", `${V3}/audit?since=0&limit=1000`);
    const actions = audit.body.data.filter((e: { principal: string }) => e.principal === "User:kim-gda").map((e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(["group.delete denied", "group.offsets.delete denied", "group.offsets.delete failure", "group.offsets.delete success", "group.delete success"]);
  });
});
