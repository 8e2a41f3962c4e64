// The admin APIs' codecs against kafkajs 2.2.4's own protocol code, in
// every version kafkajs speaks: our decoder reads the request bytes
// kafkajs sends, and kafkajs's decoder reads the response we write.
// (What the handlers answer is tested end to end: test/e2e/kafka-admin*.)
import { describe, expect, it } from "vitest";
import { alterConfigs } from "../../src/gateway/apis/alter-configs";
import { createAcls } from "../../src/gateway/apis/create-acls";
import { createPartitions } from "../../src/gateway/apis/create-partitions";
import { deleteAcls } from "../../src/gateway/apis/delete-acls";
import { deleteGroups } from "../../src/gateway/apis/delete-groups";
import { deleteRecords } from "../../src/gateway/apis/delete-records";
import { describeAcls } from "../../src/gateway/apis/describe-acls";
import { describeConfigs } from "../../src/gateway/apis/describe-configs";
import { kafkajsReads, kafkajsRequest, ourDecode } from "./kafkajs";

const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

describe("DescribeConfigs", () => {
  it.each(range(0, 2))("v%i: reads kafkajs's request, and kafkajs reads the configs answered", async (v) => {
    const args = { resources: [{ type: 2, name: "t", configNames: ["retention.ms"] }, { type: 4, name: "0" }], includeSynonyms: true };
    const { req } = ourDecode(describeConfigs, await kafkajsRequest("describeConfigs", v, args));
    expect(req).toMatchObject({ resources: [{ resourceType: 2, resourceName: "t", configurationKeys: ["retention.ms"] }, { resourceType: 4, resourceName: "0", configurationKeys: null }], includeSynonyms: v >= 1 });
    const entry = { name: "retention.ms", value: "1000", readOnly: false, isDefault: false, configSource: 1, isSensitive: false, synonyms: [{ name: "retention.ms", value: "1000", source: 1 }] };
    const d = await kafkajsReads(describeConfigs, "describeConfigs", v, { results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: "t", configs: [entry] }] });
    expect(d.resources[0]).toMatchObject({ errorCode: 0, resourceType: 2, resourceName: "t" });
    expect(d.resources[0].configEntries[0]).toMatchObject({ configName: "retention.ms", configValue: "1000", readOnly: false, isSensitive: false, ...(v === 0 ? { isDefault: false } : { configSource: 1 }) });
    if (v >= 1) expect(d.resources[0].configEntries[0].configSynonyms).toEqual([{ configName: "retention.ms", configValue: "1000", configSource: 1 }]);
  });
});

describe("AlterConfigs", () => {
  it.each(range(0, 1))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const args = { resources: [{ type: 2, name: "t", configEntries: [{ name: "retention.ms", value: "1000" }] }], validateOnly: true };
    const { req } = ourDecode(alterConfigs, await kafkajsRequest("alterConfigs", v, args));
    expect(req).toMatchObject({ resources: [{ resourceType: 2, resourceName: "t", configs: [{ name: "retention.ms", value: "1000" }] }], validateOnly: true });
    const d = await kafkajsReads(alterConfigs, "alterConfigs", v, { responses: [{ errorCode: 40, errorMessage: "bad", resourceType: 2, resourceName: "t" }] });
    expect(d.resources).toEqual([{ errorCode: 40, errorMessage: "bad", resourceType: 2, resourceName: "t" }]);
  });
});

describe("CreatePartitions", () => {
  it.each(range(0, 1))("v%i: reads kafkajs's request (no assignments: null), and kafkajs reads the answer", async (v) => {
    const { req } = ourDecode(createPartitions, await kafkajsRequest("createPartitions", v, { topicPartitions: [{ topic: "t", count: 4 }], timeout: 5000, validateOnly: false }));
    expect(req).toMatchObject({ topics: [{ name: "t", count: 4, assignments: null }], timeoutMs: 5000, validateOnly: false });
    const d = await kafkajsReads(createPartitions, "createPartitions", v, { results: [{ name: "t", errorCode: 37, errorMessage: "only grows" }] });
    expect(d.topicErrors).toEqual([{ topic: "t", errorCode: 37, errorMessage: "only grows" }]);
  });
});

describe("DeleteRecords", () => {
  it.each(range(0, 1))("v%i: reads kafkajs's request, and kafkajs reads the low watermarks", async (v) => {
    const { req } = ourDecode(deleteRecords, await kafkajsRequest("deleteRecords", v, { topics: [{ topic: "t", partitions: [{ partition: 1, offset: "7" }] }], timeout: 5000 }));
    expect(req).toMatchObject({ topics: [{ name: "t", partitions: [{ partitionIndex: 1, offset: 7 }] }], timeoutMs: 5000 });
    const d = await kafkajsReads(deleteRecords, "deleteRecords", v, { topics: [{ name: "t", partitions: [{ partitionIndex: 1, lowWatermark: 7, errorCode: 0 }] }] });
    expect(d.topics[0].partitions[0]).toMatchObject({ partition: 1, lowWatermark: 7n, errorCode: 0 });
  });
});

describe("DeleteGroups", () => {
  it.each(range(0, 1))("v%i: reads kafkajs's request, and kafkajs reads each group's outcome", async (v) => {
    const { req } = ourDecode(deleteGroups, await kafkajsRequest("deleteGroups", v, ["a", "b"]));
    expect(req.groupsNames).toEqual(["a", "b"]);
    const d = await kafkajsReads(deleteGroups, "deleteGroups", v, { results: [{ groupId: "a", errorCode: 0 }, { groupId: "b", errorCode: 68 }] });
    expect(d.results.map((g: any) => [g.groupId, g.errorCode])).toEqual([["a", 0], ["b", 68]]);
  });
});

describe("the ACL APIs", () => {
  const acl = { resourceType: 2, resourceName: "t", resourcePatternType: 4, principal: "User:a", host: "*", operation: 3, permissionType: 3 };

  it.each(range(0, 1))("DescribeAcls v%i: reads kafkajs's filter, and kafkajs reads the ACLs by resource", async (v) => {
    const { req } = ourDecode(describeAcls, await kafkajsRequest("describeAcls", v, { ...acl, resourceName: null }));
    expect(req).toMatchObject({ resourceTypeFilter: 2, resourceNameFilter: null, patternTypeFilter: v === 0 ? 3 : 4, principalFilter: "User:a", hostFilter: "*", operation: 3, permissionType: 3 });
    const resources = [{ resourceType: 2, resourceName: "t", patternType: 4, acls: [{ principal: "User:a", host: "*", operation: 3, permissionType: 3 }] }];
    const d = await kafkajsReads(describeAcls, "describeAcls", v, { errorCode: 0, errorMessage: null, resources });
    expect(d.resources[0]).toMatchObject({ resourceType: 2, resourceName: "t", acls: [{ principal: "User:a", host: "*", operation: 3, permissionType: 3 }], ...(v >= 1 ? { resourcePatternType: 4 } : {}) });
  });

  it.each(range(0, 1))("CreateAcls and DeleteAcls v%i: read kafkajs's requests, and kafkajs reads the answers", async (v) => {
    const created = ourDecode(createAcls, await kafkajsRequest("createAcls", v, { creations: [acl] }));
    expect(created.req.creations).toEqual([expect.objectContaining({ resourceType: 2, resourceName: "t", resourcePatternType: v === 0 ? 3 : 4, principal: "User:a", operation: 3 })]);
    expect((await kafkajsReads(createAcls, "createAcls", v, { results: [{ errorCode: 54, errorMessage: "off" }] })).creationResponses).toEqual([{ errorCode: 54, errorMessage: "off" }]);

    const deleted = ourDecode(deleteAcls, await kafkajsRequest("deleteAcls", v, { filters: [acl] }));
    expect(deleted.req.filters).toEqual([expect.objectContaining({ resourceTypeFilter: 2, resourceNameFilter: "t", patternTypeFilter: v === 0 ? 3 : 4 })]);
    const matchingAcls = [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: "t", patternType: 4, principal: "User:a", host: "*", operation: 3, permissionType: 3 }];
    const d = await kafkajsReads(deleteAcls, "deleteAcls", v, { filterResults: [{ errorCode: 0, errorMessage: null, matchingAcls }] });
    expect(d.filterResponses[0].matchingAcls[0]).toMatchObject({ resourceName: "t", principal: "User:a", operation: 3, ...(v >= 1 ? { resourcePatternType: 4 } : {}) });
  });
});
