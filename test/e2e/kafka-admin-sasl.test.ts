// The admin APIs with authentication on (SASL/PLAIN with Runnel keys):
// the ACL APIs manage the same ACLs as HTTP's …/acls (kafkajs as the
// admin), and every admin API is authorized as its HTTP twin, answering
// Kafka's error codes for a principal without the operation Kafka asks —
// then succeeding once an ACL grants it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apis } from "../../src/gateway/codec/generated";
import { KafkaAsker } from "./kafka-ask";
import { adminCall, freePort, type RunningServer, startServer } from "./server";

const ADMIN_SECRET = "e2e-admin-sasl-secret";
const CLUSTER_AUTHORIZATION_FAILED = 31;
const TOPIC_AUTHORIZATION_FAILED = 29;
const GROUP_AUTHORIZATION_FAILED = 30;
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-admin-sasl-"));
let server: RunningServer;
let base: string;
let kafkaPort: number;
let ops: { keyId: string; secret: string };

const admin = (method: string, path: string, body?: unknown) => adminCall(ADMIN_SECRET, method, `${base}${path}`, body);
const allow = async (resource_type: string, resource_name: string, operation: string) =>
  expect((await admin("POST", "/acls", { resource_type, resource_name, pattern_type: "LITERAL", principal: "User:ops", host: "*", operation, permission: "ALLOW" })).status).toBe(201);

beforeAll(async () => {
  kafkaPort = await freePort();
  server = await startServer(await freePort(), dir, kafkaPort, ADMIN_SECRET);
  base = `${server.url}/v3/clusters/runnel-local`;
  for (const topic of ["sa-t", "sa-acl"]) expect((await admin("POST", "/topics", { topic_name: topic, partitions_count: 1 })).status).toBe(201);
  const made = await admin("POST", "/keys", { principal: "User:ops" });
  ops = { keyId: made.body.key_id, secret: made.body.secret };
  await allow("TOPIC", "sa-t", "DESCRIBE"); // Metadata shows it, so kafkajs finds its leader
  expect((await admin("POST", "/consumer-groups/sa-g/kafka/commit", { member_id: "", generation_id: -1, offsets: [{ topic: "sa-t", partition: 0, offset: 0, metadata: null }] })).status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kafkaAs = (username: string, password: string) =>
  new Kafka({ clientId: `sa-${username}`, brokers: [`127.0.0.1:${kafkaPort}`], sasl: { mechanism: "plain", username, password }, logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 } });

async function thrown(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error("the call succeeded");
}

describe("the ACL APIs with authentication on", () => {
  it("create, describe (LITERAL, PREFIXED and MATCH filters) and delete the ACLs HTTP manages", async () => {
    const kafka = kafkaAs("admin", ADMIN_SECRET);
    const a = kafka.admin();
    await a.connect();
    try {
      const acl = (resourceName: string, resourcePatternType: number, operation: number) => ({
        resourceType: AclResourceTypes.TOPIC, resourceName, resourcePatternType, principal: "User:sam", host: "*", operation, permissionType: AclPermissionTypes.ALLOW,
      });
      await a.createAcls({ acl: [acl("sa-acl", ResourcePatternTypes.LITERAL, AclOperationTypes.READ), acl("sa-", ResourcePatternTypes.PREFIXED, AclOperationTypes.WRITE)] });
      const http = (await admin("GET", "/acls?principal=User:sam")).body.data.map((x: any) => `${x.pattern_type} ${x.resource_name} ${x.operation}`).sort();
      expect(http).toEqual(["LITERAL sa-acl READ", "PREFIXED sa- WRITE"]);

      const describe = (resourceName: string, resourcePatternType: number) =>
        a.describeAcls({ resourceType: AclResourceTypes.TOPIC, resourceName, resourcePatternType, principal: "User:sam", operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
      const names = (r: Awaited<ReturnType<typeof describe>>) => r.resources.map((x) => `${x.resourcePatternType} ${x.resourceName} ${x.acls.map((y) => y.operation).join(",")}`).sort();
      expect(names(await describe("sa-acl", ResourcePatternTypes.LITERAL))).toEqual([`${ResourcePatternTypes.LITERAL} sa-acl ${AclOperationTypes.READ}`]);
      expect(names(await describe("sa-", ResourcePatternTypes.PREFIXED))).toEqual([`${ResourcePatternTypes.PREFIXED} sa- ${AclOperationTypes.WRITE}`]);
      // MATCH: every ACL that applies to topic sa-acl — its own LITERAL one and the PREFIXED one it starts with.
      expect(names(await describe("sa-acl", ResourcePatternTypes.MATCH))).toHaveLength(2);
      expect(names(await describe("other", ResourcePatternTypes.MATCH))).toEqual([]);

      const deleted = await a.deleteAcls({ filters: [{ ...acl("sa-", ResourcePatternTypes.PREFIXED, AclOperationTypes.ANY), permissionType: AclPermissionTypes.ANY }] });
      expect(deleted.filterResponses[0]!.matchingAcls.map((m) => [m.resourceName, m.operation])).toEqual([["sa-", AclOperationTypes.WRITE]]);
      expect((await admin("GET", "/acls?principal=User:sam")).body.data.map((x: any) => x.resource_name)).toEqual(["sa-acl"]);
      const unsupported = await thrown(() => a.createAcls({ acl: [{ ...acl("x", ResourcePatternTypes.LITERAL, AclOperationTypes.READ), resourceType: AclResourceTypes.TRANSACTIONAL_ID }] }));
      expect(unsupported.type).toBe("INVALID_REQUEST");
      // A filter with a code Kafka does not define (UNKNOWN, 0) is INVALID_REQUEST, and deletes nothing.
      const raw = await KafkaAsker.connect(kafkaPort, { user: "admin", password: ADMIN_SECRET });
      try {
        const unknown = { resourceTypeFilter: 0, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
        expect((await raw.ask(apis.DescribeAcls, 3, unknown)).errorCode).toBe(42);
        expect((await raw.ask(apis.DeleteAcls, 3, { filters: [unknown] })).filterResults.map((r) => r.errorCode)).toEqual([42]);
        expect((await admin("GET", "/acls?principal=User:sam")).body.data).toHaveLength(1);
      } finally {
        raw.close();
      }
    } finally {
      await a.disconnect();
    }
  });
});

describe("every admin API with authentication on", () => {
  it("refuses a principal without the operation with Kafka's error code, and serves it once an ACL grants it", async () => {
    const a = kafkaAs(ops.keyId, ops.secret).admin();
    await a.connect();
    const raw = await KafkaAsker.connect(kafkaPort, { user: ops.keyId, password: ops.secret });
    try {
      const configs = (type: number, name: string) => a.describeConfigs({ includeSynonyms: false, resources: [{ type, name }] });
      const alter = () => a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "sa-t", configEntries: [{ name: "retention.ms", value: "1000" }] }] });
      const grow = () => a.createPartitions({ topicPartitions: [{ topic: "sa-t", count: 2 }] });
      const trim = () => a.deleteTopicRecords({ topic: "sa-t", partitions: [{ partition: 0, offset: "0" }] });
      await a.fetchTopicMetadata({ topics: ["sa-t"] });
      expect((await thrown(() => configs(ConfigResourceTypes.TOPIC, "sa-t"))).type).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect((await thrown(() => configs(ConfigResourceTypes.BROKER, "0"))).type).toBe("CLUSTER_AUTHORIZATION_FAILED");
      expect((await thrown(alter)).type).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect((await thrown(grow)).type).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect((await thrown(trim)).cause.partitions[0].error.type).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect((await thrown(() => a.deleteGroups(["sa-g"]))).groups[0].error.type).toBe("GROUP_AUTHORIZATION_FAILED");
      expect((await thrown(() => a.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }))).type).toBe("CLUSTER_AUTHORIZATION_FAILED");

      const epochs = () => raw.ask(apis.OffsetForLeaderEpoch, 4, { replicaId: -1, topics: [{ topic: "sa-t", partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
      const producers = () => raw.ask(apis.DescribeProducers, 0, { topics: [{ name: "sa-t", partitionIndexes: [0] }] });
      const dirs = () => raw.ask(apis.DescribeLogDirs, 4, { topics: null });
      const offsets = () => raw.ask(apis.OffsetDelete, 0, { groupId: "sa-g", topics: [{ name: "sa-t", partitions: [{ partitionIndex: 0 }] }] });
      const incremental = () => raw.ask(apis.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: "sa-t", configs: [{ name: "segment.ms", configOperation: 0, value: "60000" }] }], validateOnly: false });
      expect((await epochs()).topics[0]!.partitions[0]!.errorCode).toBe(0); // DESCRIBE on the topic is enough
      expect((await producers()).topics[0]!.partitions[0]!.errorCode).toBe(TOPIC_AUTHORIZATION_FAILED); // READ is needed
      expect((await dirs()).errorCode).toBe(CLUSTER_AUTHORIZATION_FAILED);
      expect((await offsets()).errorCode).toBe(GROUP_AUTHORIZATION_FAILED);
      expect((await incremental()).responses[0]!.errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      const creation = { resourceType: 2, resourceName: "sa-t", resourcePatternType: 3, principal: "User:ops", host: "*", operation: 2, permissionType: 3 };
      expect((await raw.ask(apis.CreateAcls, 3, { creations: [creation, { ...creation, resourceType: 5 }] })).results.map((r) => r.errorCode)).toEqual([CLUSTER_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED]);

      await allow("TOPIC", "sa-t", "ALTER_CONFIGS");
      await allow("TOPIC", "sa-t", "ALTER");
      await allow("TOPIC", "sa-t", "DELETE");
      await allow("TOPIC", "sa-t", "READ");
      await allow("GROUP", "sa-g", "DELETE");
      await allow("CLUSTER", "kafka-cluster", "DESCRIBE");
      await allow("CLUSTER", "kafka-cluster", "DESCRIBE_CONFIGS");
      expect((await configs(ConfigResourceTypes.TOPIC, "sa-t")).resources[0]!.errorCode).toBe(0);
      expect((await configs(ConfigResourceTypes.BROKER, "0")).resources[0]!.errorCode).toBe(0);
      await alter();
      await grow();
      await trim();
      expect((await incremental()).responses[0]!.errorCode).toBe(0);
      expect((await producers()).topics[0]!.partitions[0]!.errorCode).toBe(0);
      expect((await dirs()).errorCode).toBe(0);
      expect((await offsets()).errorCode).toBe(0);
      expect(await a.deleteGroups(["sa-g"])).toEqual([{ groupId: "sa-g", errorCode: 0 }]);
    } finally {
      raw.close();
      await a.disconnect();
    }
  });
});
