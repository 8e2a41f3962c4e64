import { describe, expect, it } from "vitest";
import { AclBody, decide, type Acl } from "../../src/access/acl";
import { checkInput, inputProblem } from "../../src/input";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

const acl = (over: Partial<Acl>): Acl => ({
  resource_type: "TOPIC", resource_name: "orders", pattern_type: "LITERAL", principal: "User:alice", host: "*", operation: "READ", permission: "ALLOW", ...over,
});

describe("Kafka's ACL decision", () => {
  it("denies without a matching ALLOW, and matches literal, prefixed and * names", () => {
    expect(decide([], "User:alice", "TOPIC", "orders", "READ")).toBe(false);
    expect(decide([acl({})], "User:alice", "TOPIC", "orders", "READ")).toBe(true);
    expect(decide([acl({})], "User:alice", "TOPIC", "orders-eu", "READ")).toBe(false);
    expect(decide([acl({})], "User:bob", "TOPIC", "orders", "READ")).toBe(false);
    expect(decide([acl({})], "User:alice", "GROUP", "orders", "READ")).toBe(false);
    expect(decide([acl({ pattern_type: "PREFIXED", resource_name: "orders-" })], "User:alice", "TOPIC", "orders-eu", "READ")).toBe(true);
    expect(decide([acl({ pattern_type: "PREFIXED", resource_name: "orders-" })], "User:alice", "TOPIC", "order", "READ")).toBe(false);
    expect(decide([acl({ resource_name: "*" })], "User:alice", "TOPIC", "anything", "READ")).toBe(true);
    expect(decide([acl({ principal: "User:*" })], "User:zed", "TOPIC", "orders", "READ")).toBe(true);
  });

  it("lets DENY win over ALLOW, for the operation itself or ALL", () => {
    const both = [acl({ operation: "ALL" }), acl({ permission: "DENY", operation: "WRITE" })];
    expect(decide(both, "User:alice", "TOPIC", "orders", "READ")).toBe(true);
    expect(decide(both, "User:alice", "TOPIC", "orders", "WRITE")).toBe(false);
    expect(decide([acl({}), acl({ permission: "DENY", operation: "ALL", pattern_type: "PREFIXED", resource_name: "o" })], "User:alice", "TOPIC", "orders", "READ")).toBe(false);
    expect(decide([acl({}), acl({ permission: "DENY", principal: "User:*" })], "User:alice", "TOPIC", "orders", "READ")).toBe(false);
  });

  it("implies DESCRIBE from READ, WRITE, DELETE and ALTER, and DESCRIBE_CONFIGS from ALTER_CONFIGS — and nothing else", () => {
    for (const op of ["READ", "WRITE", "DELETE", "ALTER"] as const) expect(decide([acl({ operation: op })], "User:alice", "TOPIC", "orders", "DESCRIBE"), op).toBe(true);
    expect(decide([acl({ operation: "ALTER_CONFIGS" })], "User:alice", "TOPIC", "orders", "DESCRIBE_CONFIGS")).toBe(true);
    expect(decide([acl({ operation: "DESCRIBE" })], "User:alice", "TOPIC", "orders", "READ")).toBe(false);
    expect(decide([acl({ operation: "CREATE" })], "User:alice", "TOPIC", "orders", "DESCRIBE")).toBe(false);
    expect(decide([acl({ operation: "READ" })], "User:alice", "TOPIC", "orders", "DESCRIBE_CONFIGS")).toBe(false);
    // A DENY of DESCRIBE does not deny READ (Kafka denies only the operation named).
    expect(decide([acl({}), acl({ permission: "DENY", operation: "DESCRIBE" })], "User:alice", "TOPIC", "orders", "READ")).toBe(true);
  });

  it("validates ACL bodies field by field", () => {
    const ok = { resource_type: "TOPIC", resource_name: "t", pattern_type: "PREFIXED", principal: "User:a", host: "*", operation: "READ", permission: "ALLOW" };
    expect(checkInput(AclBody, ok)).toEqual({ ok: true, value: ok });
    expect(checkInput(AclBody, { ...ok, pattern_type: undefined, host: null, comment: "x" })).toEqual({ ok: true, value: { ...ok, pattern_type: "LITERAL" } });
    const problem = (over: Record<string, unknown>) => inputProblem(AclBody, { ...ok, ...over });
    expect(problem({ resource_type: "TRANSACTIONAL_ID" })).toBe("resource_type must be one of TOPIC, GROUP, CLUSTER");
    expect(problem({ operation: "READ_ALL" })).toBe("operation must be one of ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS");
    expect(problem({ principal: "alice" })).toBe("principal must look like User:alice (letters, digits, '.', '_', '@', '-'), got 'alice'");
    expect(problem({ principal: "User:*" })).toBeNull();
    expect(problem({ resource_type: "CLUSTER" })).toBe("a CLUSTER resource is named 'kafka-cluster'");
    expect(problem({ host: "10.0.0.1" })).toBe("host must be '*' (Runnel does not match ACLs by client address)");
    expect(problem({ resource_name: "" })).toBe("resource_name must be a string of 1 to 255 characters");
    expect(problem({ pattern_type: null })).toBe("pattern_type must be one of LITERAL, PREFIXED");
    const { permission: _, ...withoutPermission } = ok;
    expect(inputProblem(AclBody, withoutPermission)).toBe("permission is required");
  });
});

describe("ACLs enforced on the HTTP API", () => {
  it("lets a principal produce and fetch exactly where its ACLs allow, naming the operation and resource otherwise", async () => {
    await adminTopic("acl-orders");
    await adminTopic("acl-secret");
    const alice = await keyFor("User:alice-acl");
    await allow("User:alice-acl", "TOPIC", "acl-orders", "WRITE");
    const record = { value: { type: "STRING", data: "v" } };
    expect((await as(alice, "POST", `${V3}/topics/acl-orders/records`, record)).status).toBe(200);
    const denied = await as(alice, "POST", `${V3}/topics/acl-secret/records`, record);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error_code: 40301, error_name: "TOPIC_AUTHORIZATION_FAILED", message: "not authorized: User:alice-acl may not WRITE TOPIC 'acl-secret'" });
    const read = await as(alice, "GET", `${V3}/topics/acl-orders/partitions/0/records?offset=0`);
    expect(read.status).toBe(403);
    expect(read.body.message).toContain("READ TOPIC 'acl-orders'");
    // WRITE implies DESCRIBE; it does not imply DESCRIBE_CONFIGS.
    expect((await as(alice, "GET", `${V3}/topics/acl-orders`)).status).toBe(200);
    expect((await as(alice, "GET", `${V3}/topics/acl-orders/configs`)).status).toBe(403);
    // The denied produce appended nothing.
    const hw = await as(ADMIN, "GET", `${V3}/topics/acl-secret/partitions/0/offsets`);
    expect(hw.body.latest_offset).toBe(0);
  });

  it("creates topics with CREATE on the cluster, or on the topic's own name (also by prefix)", async () => {
    const bob = await keyFor("User:bob-acl");
    const create = (name: string) => as(bob, "POST", `${V3}/topics`, { topic_name: name, partitions_count: 1 });
    expect((await create("bob-1")).status).toBe(403);
    await allow("User:bob-acl", "TOPIC", "bob-", "CREATE", { pattern_type: "PREFIXED" });
    expect((await create("bob-1")).status).toBe(201);
    const other = await create("notbob");
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error_code: 40301, error_name: "TOPIC_AUTHORIZATION_FAILED" });
    expect(other.body.message).toContain("CREATE TOPIC 'notbob'");
    expect((await as(bob, "DELETE", `${V3}/topics/bob-1`)).status).toBe(403);
  });

  it("applies DENY over ALLOW on the wire, and lists and deletes ACLs by filter", async () => {
    await adminTopic("acl-deny");
    const eve = await keyFor("User:eve-acl");
    await allow("User:eve-acl", "TOPIC", "*", "ALL");
    await allow("User:eve-acl", "TOPIC", "acl-deny", "WRITE", { permission: "DENY" });
    expect((await as(eve, "POST", `${V3}/topics/acl-deny/records`, { value: { type: "STRING", data: "x" } })).status).toBe(403);
    expect((await as(eve, "GET", `${V3}/topics/acl-deny/partitions/0/records?offset=0`)).status).toBe(200);
    const listed = await as(ADMIN, "GET", `${V3}/acls?principal=User:eve-acl`);
    expect(listed.body.data.map((a: Acl) => `${a.permission} ${a.operation} ${a.resource_name}`).sort()).toEqual(["ALLOW ALL *", "DENY WRITE acl-deny"]);
    expect((await as(ADMIN, "GET", `${V3}/acls?operation=NOPE`)).status).toBe(400);
    expect((await as(ADMIN, "DELETE", `${V3}/acls?principal=User:eve-acl`)).status).toBe(400);
    const deleted = await as(ADMIN, "DELETE", `${V3}/acls?resource_type=TOPIC&principal=User:eve-acl&permission=DENY`);
    expect(deleted.body.data).toHaveLength(1);
    expect((await as(eve, "POST", `${V3}/topics/acl-deny/records`, { value: { type: "STRING", data: "x" } })).status).toBe(200);
  });
});

describe("deleting records (records:delete-before)", () => {
  it("needs DELETE on the topic (WRITE is not enough), and is audited either way", async () => {
    const since = Date.now();
    await adminTopic("acl-trim");
    expect((await as(ADMIN, "POST", "/topics/acl-trim", { records: [{ value: 1 }, { value: 2 }] }, { "content-type": "application/vnd.kafka.json.v2+json" })).status).toBe(200);
    const tim = await keyFor("User:tim");
    await allow("User:tim", "TOPIC", "acl-trim", "WRITE");
    const path = `${V3}/topics/acl-trim/partitions/0/records:delete-before`;
    const denied = await as(tim, "POST", path, { offset: 1 });
    expect([denied.status, denied.body.error_code, denied.body.error_name]).toEqual([403, 40301, "TOPIC_AUTHORIZATION_FAILED"]);
    expect((await as(ADMIN, "GET", `${V3}/topics/acl-trim/partitions/0`)).body.log_start_offset).toBe(0);
    await allow("User:tim", "TOPIC", "acl-trim", "DELETE");
    expect((await as(tim, "POST", path, { offset: 1 })).body.low_watermark).toBe(1);
    const rows = async () => (await as(ADMIN, "GET", `${V3}/audit?since=${since}`)).body.data.map((e: Record<string, unknown>) => `${e.principal} ${e.action} ${e.resource} ${e.outcome}`);
    const wanted = ["User:tim topic.records.delete TOPIC:acl-trim denied", "User:tim topic.records.delete TOPIC:acl-trim success"];
    // The audit entry is written after the answer: wait for it.
    for (let i = 0; i < 100 && (await rows()).filter((r: string) => wanted.includes(r)).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await rows()).toEqual(expect.arrayContaining(wanted));
  });
});

describe("lists", () => {
  it("show only the topics and groups the principal may describe", async () => {
    await adminTopic("list-a-1");
    await adminTopic("list-a-2");
    await adminTopic("list-b-1");
    const lee = await keyFor("User:lee");
    await allow("User:lee", "TOPIC", "list-a-", "DESCRIBE", { pattern_type: "PREFIXED" });
    await allow("User:lee", "TOPIC", "list-b-1", "READ");
    const names = (await as(lee, "GET", `${V3}/topics`)).body.data.map((t: { topic_name: string }) => t.topic_name);
    expect(names).toEqual(["list-a-1", "list-a-2", "list-b-1"]);
    const adminNames = (await as(ADMIN, "GET", `${V3}/topics`)).body.data.map((t: { topic_name: string }) => t.topic_name);
    expect(adminNames.length).toBeGreaterThan(names.length);

    const admin = await as(ADMIN, "POST", "/consumers/list-group-x", { format: "binary" });
    expect(admin.status).toBe(200);
    expect((await as(ADMIN, "POST", "/consumers/list-group-y", { format: "binary" })).status).toBe(200);
    await allow("User:lee", "GROUP", "list-group-y", "DESCRIBE");
    const groups = (await as(lee, "GET", `${V3}/consumer-groups`)).body.data.map((g: { consumer_group_id: string }) => g.consumer_group_id);
    expect(groups).toEqual(["list-group-y"]);
  });
});
