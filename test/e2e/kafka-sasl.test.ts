
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, freePort, startServer, type RunningServer } from "./server";
import { hasKcat, type KcatRun, runKcat, saslArgs } from "./kcat";

const ADMIN_SECRET = "e2e-sasl-admin-secret";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-sasl-"));
let server: RunningServer;
let base: string;
let kafkaPort: number;
/** key id and secret of each principal made for the tests. */
const keys: Record<"writer" | "reader" | "nobody", { keyId: string; secret: string }> = {} as never;

const admin = (method: string, path: string, body?: unknown) => adminCall(ADMIN_SECRET, method, `${base}${path}`, body);

beforeAll(async () => {
  kafkaPort = await freePort();
  server = await startServer(await freePort(), dir, kafkaPort, ADMIN_SECRET);
  base = `${server.url}/v3/clusters/runnel-local`;
  expect((await admin("POST", "/topics", { topic_name: "sasl-orders", partitions_count: 1, configs: [{ name: "retention.ms", value: "-1" }] })).status).toBe(201);
  for (const name of ["writer", "reader", "nobody"] as const) {
    const made = await admin("POST", "/keys", { principal: `User:${name}` });
    expect(made.status).toBe(201);
    keys[name] = { keyId: made.body.key_id, secret: made.body.secret };
  }
  const acl = (principal: string, operation: string) => ({
    resource_type: "TOPIC", resource_name: "sasl-orders", pattern_type: "LITERAL", principal, host: "*", operation, permission: "ALLOW",
  });
  expect((await admin("POST", "/acls", acl("User:writer", "WRITE"))).status).toBe(201);
  expect((await admin("POST", "/acls", acl("User:reader", "READ"))).status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function kafkaAs(username: string, password: string): Kafka {
  return new Kafka({
    clientId: `e2e-sasl-${username}`,
    brokers: [`127.0.0.1:${kafkaPort}`],
    sasl: { mechanism: "plain", username, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
  });
}

const as = (who: keyof typeof keys) => kafkaAs(keys[who].keyId, keys[who].secret);

/** Every value of sasl-orders over HTTP, read as the admin. */
async function storedValues(): Promise<string[]> {
  const res = await admin("GET", "/topics/sasl-orders/partitions/0/records?offset=0&format=string");
  return res.body.records.map((r: { value: string }) => r.value);
}

describe("kafkajs with SASL/PLAIN", () => {
  it("produces as a principal with WRITE on the topic, idempotent too", async () => {
    const producer = as("writer").producer({ allowAutoTopicCreation: false, idempotent: true });
    await producer.connect();
    try {
      const [res] = await producer.send({ topic: "sasl-orders", acks: -1, messages: [{ value: "kj-1" }, { value: "kj-2" }] });
      expect(res).toMatchObject({ errorCode: 0, baseOffset: "0" });
    } finally {
      await producer.disconnect();
    }
    expect(await storedValues()).toEqual(["kj-1", "kj-2"]);
  });

  it("refuses a principal without WRITE with TOPIC_AUTHORIZATION_FAILED, and one that may not even describe the topic too", async () => {
    const since = Date.now();
    for (const who of ["reader", "nobody"] as const) {
      const producer = as(who).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const sent = producer.send({ topic: "sasl-orders", acks: -1, messages: [{ value: `by ${who}` }] });
        expect(kafkaTypeOf(await sent.then(() => null, (e: unknown) => e)), who).toBe("TOPIC_AUTHORIZATION_FAILED");
      } finally {
        await producer.disconnect();
      }
    }
    expect(await storedValues()).toEqual(["kj-1", "kj-2"]);
    // The Worker refused them as it would over HTTP: the reader's produce itself, the other's look at the topic.
    const denied = (await admin("GET", `/audit?since=${since}`)).body.data.filter((e: { outcome: string }) => e.outcome === "denied");
    expect(denied).toEqual(expect.arrayContaining([
      expect.objectContaining({ principal: "User:reader", action: "topic.produce", resource: "TOPIC:sasl-orders" }),
      expect.objectContaining({ principal: "User:nobody", action: "topic.describe", resource: "TOPIC:sasl-orders" }),
    ]));
  });

  it("refuses a wrong password at connect, and topic creation without CREATE with TOPIC_AUTHORIZATION_FAILED", async () => {
    const wrong = kafkaAs(keys.writer.keyId, "not-the-secret").producer();
    await expect(wrong.connect()).rejects.toMatchObject({ name: "KafkaJSSASLAuthenticationError" });
    const writerAdmin = as("writer").admin();
    await writerAdmin.connect();
    try {
      const refused = await writerAdmin.createTopics({ topics: [{ topic: "sasl-new" }] }).then(() => null, (e: unknown) => e);
      expect(kafkaTypeOf(refused)).toBe("TOPIC_AUTHORIZATION_FAILED");
    } finally {
      await writerAdmin.disconnect();
    }
    const root = kafkaAs("admin", ADMIN_SECRET).admin();
    await root.connect();
    try {
      expect(await root.createTopics({ topics: [{ topic: "sasl-new" }] })).toBe(true);
      expect(await root.listTopics()).toEqual(expect.arrayContaining(["sasl-orders", "sasl-new"]));
    } finally {
      await root.disconnect();
    }
  });
});

/** The Kafka error name a kafkajs error carries, itself or in its cause or first aggregated error. */
function kafkaTypeOf(e: unknown): string | undefined {
  const err = e as { type?: string; cause?: { type?: string }; errors?: { type?: string }[] } | null;
  return err?.type ?? err?.cause?.type ?? err?.errors?.[0]?.type;
}



describe.skipIf(!hasKcat)("kcat with SASL_PLAINTEXT / PLAIN", () => {
  it("produces as the writer (acks=all), consumes as the reader, and refuses the reader's produce and a wrong password", async () => {
    const produced = await kcat(keys.writer.keyId, keys.writer.secret, ["-P", "-t", "sasl-orders", "-p", "0", "-X", "acks=all"], "kc-1\nkc-2\n");
    expect(produced, produced.err).toMatchObject({ code: 0 });
    const consumed = await kcat(keys.reader.keyId, keys.reader.secret, ["-C", "-t", "sasl-orders", "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o %s\\n"]);
    expect(consumed.code, consumed.err).toBe(0);
    expect(consumed.out.trim().split("\n")).toEqual(["0 kj-1", "1 kj-2", "2 kc-1", "3 kc-2"]);
    const refused = await kcat(keys.reader.keyId, keys.reader.secret, ["-P", "-t", "sasl-orders", "-p", "0", "-X", "acks=all"], "nope\n");
    expect(refused.err).toMatch(/Topic authorization failed/i);
    const wrong = await kcat(keys.writer.keyId, "wrong", ["-L", "-m", "5"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toMatch(/Authentication failed/i);
    expect(await storedValues()).toEqual(["kj-1", "kj-2", "kc-1", "kc-2"]);
  });
});

/** kcat with SASL/PLAIN as `user` (key id) and `password` (secret); resolves with exit code, stdout and stderr. */
function kcat(user: string, password: string, args: string[], input = ""): Promise<KcatRun> {
  return runKcat(kafkaPort, [...saslArgs(user, password), ...args], input, 30_000);
}
