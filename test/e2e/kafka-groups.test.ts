// Consumer groups over the Kafka protocol against the real server, started
// as `npm start` does: kafkajs 2.2.4 and kcat (librdkafka 2.0.2) consumers
// in groups, sharing committed offsets with HTTP instances and WebSocket
// subscribers of the same groups; and, with authentication on, a principal
// without READ on a group refused.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type Consumer, type LogEntry } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kafkajsRequest } from "../gateway/kafkajs";
import { KafkaSocket } from "./kafka-socket";
import { freePort, startServer, type RunningServer } from "./server";

const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-groups-"));
let server: RunningServer;
let base: string;
let kafkaPort: number;
let kafka: Kafka;

beforeAll(async () => {
  kafkaPort = await freePort();
  server = await startServer(await freePort(), dir, kafkaPort);
  base = `${server.url}/v3/clusters/runnel-local`;
  kafka = new Kafka({ clientId: "e2e-groups", brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function http(method: string, url: string, body?: unknown) {
  const res = await fetch(url.startsWith("http") ? url : `${base}${url}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function createTopic(name: string, partitions: number) {
  const res = await http("POST", "/topics", { topic_name: name, partitions_count: partitions, configs: [{ name: "retention.ms", value: "-1" }] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Produces `count` records to every partition (kafkajs, acks=all), values "{tag}-p{partition}-{i}". */
async function produce(topic: string, partitions: number, count: number, tag = "r") {
  const messages = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < count; i++) messages.push({ value: `${tag}-p${p}-${i}`, partition: p });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  return messages.map((m) => m.value);
}

/** Checks `check` every 50 ms until it holds; fails naming `what` once `timeoutMs` passes. */
async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Got {
  partition: number;
  offset: number;
  value: string;
}

/** A kafkajs consumer of `topic` in `groupId`, running: what it got, and the partitions its latest join gave it. */
async function consume(groupId: string, topic: string, o: { fromBeginning?: boolean; client?: Kafka } = {}) {
  const consumer: Consumer = (o.client ?? kafka).consumer({ groupId, heartbeatInterval: 300, maxWaitTimeInMs: 300, sessionTimeout: 10_000, rebalanceTimeout: 10_000 });
  const got: Got[] = [];
  const joins: Record<string, number[]>[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => joins.push(e.payload.memberAssignment));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: o.fromBeginning ?? true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, offset: Number(message.offset), value: message.value!.toString() }) });
  const assigned = () => [...(joins.at(-1)?.[topic] ?? [])].sort();
  return { consumer, got, joins, assigned, stop: () => consumer.disconnect() };
}

type Running = Awaited<ReturnType<typeof consume>>;

/** Whether the consumers' latest assignments cover `partitions` partitions, each once, and each has at least one. */
function split(consumers: Running[], partitions: number): boolean {
  const all = consumers.flatMap((c) => c.assigned()).sort((a, b) => a - b);
  return consumers.every((c) => c.assigned().length > 0) && all.length === partitions && all.every((p, i) => p === i);
}

/** Every value the consumers got, sorted, and whether each came to the consumer that owned its partition. */
function values(consumers: Running[]): string[] {
  for (const c of consumers) for (const g of c.got) expect(g.value).toContain(`-p${g.partition}-`);
  return consumers.flatMap((c) => c.got.map((g) => g.value)).sort();
}

describe("kafkajs consumer groups", () => {
  it("two consumers split a 4-partition topic and together read every record exactly once (negotiated versions from the debug log)", async () => {
    await createTopic("kg-split", 4);
    const requests = new Set<string>();
    const logCreator = () => (entry: LogEntry) => {
      if (entry.log.message.startsWith("Request ")) requests.add(entry.log.message.slice("Request ".length));
    };
    const debug = new Kafka({ clientId: "e2e-debug", brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.DEBUG, logCreator });
    const a = await consume("kg-split-g", "kg-split", { client: debug });
    const b = await consume("kg-split-g", "kg-split", { client: debug });
    try {
      await waitFor("a and b to split the partitions", () => split([a, b], 4));
      expect(a.assigned()).toHaveLength(2);
      const sent = await produce("kg-split", 4, 10);
      await waitFor("every record", () => a.got.length + b.got.length >= 40);
      expect(values([a, b])).toEqual(sent.sort());
      for (const c of [a, b]) expect(new Set(c.got.map((g) => g.partition))).toEqual(new Set(c.assigned()));

      // kafkajs's admin sees the group as Kafka shows it, and the offsets both committed.
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [g] = (await admin.describeGroups(["kg-split-g"])).groups;
        expect(g).toMatchObject({ groupId: "kg-split-g", state: "Stable", protocolType: "consumer", protocol: "RoundRobinAssigner" });
        expect(g!.members.map((m) => m.clientId)).toEqual(["e2e-debug", "e2e-debug"]);
        expect((await admin.listGroups()).groups).toContainEqual({ groupId: "kg-split-g", protocolType: "consumer" });
        await waitFor("both commits", async () => {
          const [t] = await admin.fetchOffsets({ groupId: "kg-split-g", topics: ["kg-split"] });
          return t!.partitions.every((p) => p.offset === "10");
        });
      } finally {
        await admin.disconnect();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const versions = ["GroupCoordinator(key: 10, version: 2)", "JoinGroup(key: 11, version: 5)", "SyncGroup(key: 14, version: 3)", "Heartbeat(key: 12, version: 3)"];
    versions.push("OffsetFetch(key: 9, version: 4)", "OffsetCommit(key: 8, version: 5)", "LeaveGroup(key: 13, version: 3)");
    expect([...requests]).toEqual(expect.arrayContaining(versions));
  });

  it("a consumer that commits, disconnects and starts again resumes from the committed offset; fromBeginning only where nothing is committed", async () => {
    await createTopic("kg-resume", 1);
    await produce("kg-resume", 1, 10, "first");
    const first = await consume("kg-resume-g", "kg-resume");
    await waitFor("the first ten", () => first.got.length === 10);
    await waitFor("its commit", async () => (await http("GET", "/consumer-groups/kg-resume-g/lags")).body.data[0]?.current_offset === 10);
    await first.stop();
    await produce("kg-resume", 1, 5, "second");
    const again = await consume("kg-resume-g", "kg-resume");
    try {
      await waitFor("the five new ones", () => again.got.length === 5);
      expect(again.got.map((g) => g.offset)).toEqual([10, 11, 12, 13, 14]);
    } finally {
      await again.stop();
    }
    // A new group from the beginning reads all fifteen; one from the end only what comes after it joined.
    const fresh = await consume("kg-resume-new-g", "kg-resume", { fromBeginning: true });
    const latest = await consume("kg-resume-latest-g", "kg-resume", { fromBeginning: false });
    try {
      await waitFor("the latest consumer's partitions", () => latest.assigned().length === 1);
      await waitFor("all fifteen", () => fresh.got.length === 15);
      await waitFor("the latest consumer's position", async () => (await http("GET", "/consumer-groups/kg-resume-latest-g/lags")).status === 200);
      await produce("kg-resume", 1, 1, "third");
      await waitFor("the one after", () => latest.got.length === 1 && fresh.got.length === 16);
      expect(latest.got.map((g) => g.value)).toEqual(["third-p0-0"]);
    } finally {
      await Promise.all([fresh.stop(), latest.stop()]);
    }
  });

  it("a third consumer joining rebalances the group, records keep coming exactly once, and a disconnect leaves at once", async () => {
    await createTopic("kg-three", 4);
    const a = await consume("kg-three-g", "kg-three");
    const b = await consume("kg-three-g", "kg-three");
    const consumers = [a, b];
    try {
      await waitFor("a and b to split", () => split([a, b], 4));
      const joinsBefore = a.joins.length + b.joins.length;
      const sent = await produce("kg-three", 4, 10, "before");
      const c = await consume("kg-three-g", "kg-three");
      consumers.push(c);
      sent.push(...(await produce("kg-three", 4, 10, "during")));
      await waitFor("the three to split the partitions", () => split([a, b, c], 4));
      expect(a.joins.length + b.joins.length).toBeGreaterThan(joinsBefore);
      sent.push(...(await produce("kg-three", 4, 10, "after")));
      await waitFor("every record", () => a.got.length + b.got.length + c.got.length >= 120);
      expect(values([a, b, c])).toEqual(sent.sort());

      const leftAt = Date.now();
      await c.stop();
      consumers.pop();
      await waitFor("a and b to take c's partitions", () => split([a, b], 4));
      expect(Date.now() - leftAt).toBeLessThan(8_000); // the session timeout is 10 s: it left, it did not time out
      expect((await http("GET", "/consumer-groups/kg-three-g")).body.consumers).toHaveLength(2);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
    }
  });

  it("offsets set while the group is empty — kafkajs's setOffsets, or a commit from outside the group (generation -1) — are where a consumer starts", async () => {
    await createTopic("kg-set", 2);
    await produce("kg-set", 2, 6);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: "kg-set-g", topic: "kg-set", partitions: [{ partition: 0, offset: "4" }] });
    } finally {
      await admin.disconnect();
    }
    // What Kafka's own admin client sends to alter a group's offsets: no member id, generation -1.
    const topics = [{ topic: "kg-set", partitions: [{ partition: 1, offset: "5", metadata: "set by hand" }] }];
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      socket.write(await kafkajsRequest("offsetCommit", 5, { groupId: "kg-set-g", groupGenerationId: -1, memberId: "", topics }, 11));
      const answer = await socket.next();
      expect(answer.correlationId).toBe(11);
      expect(answer.body.readInt16BE(answer.body.length - 2)).toBe(0); // the one partition's error code
    } finally {
      socket.close();
    }
    const c = await consume("kg-set-g", "kg-set");
    try {
      await waitFor("the records after the offsets set", () => c.got.length >= 3);
      expect(c.got.map((g) => `${g.partition}@${g.offset}`).sort()).toEqual(["0@4", "0@5", "1@5"]);
    } finally {
      await c.stop();
    }
  });
});

describe("one group, any kind of member", () => {
  it("a kafkajs consumer's commit is where an HTTP instance resumes, and its commit where a WebSocket subscriber does", async () => {
    await createTopic("kg-cross", 1);
    await produce("kg-cross", 1, 10);
    const k = await consume("kg-cross-g", "kg-cross");
    await waitFor("ten records", () => k.got.length === 10);
    await waitFor("its commit", async () => (await http("GET", "/consumer-groups/kg-cross-g/lags")).body.data[0]?.current_offset === 10);
    await k.stop();
    await produce("kg-cross", 1, 5, "later");
    const created = await http("POST", `${server.url}/consumers/kg-cross-g`, { format: "string", "auto.offset.reset": "earliest", "auto.commit.enable": "false" });
    const instance = created.body.base_uri as string;
    expect((await http("POST", `${instance}/subscription`, { topics: ["kg-cross"] })).status).toBe(204);
    const polled = await waitFor("the HTTP instance's records", async () => {
      const r = await http("GET", `${instance}/records?timeout=500`);
      return r.body.length > 0 ? (r.body as Got[]) : null;
    });
    expect(polled[0]!.offset).toBe(10);
    // The REST commit names the last offset consumed (11): the group stores 12, the next to read.
    expect((await http("POST", `${instance}/offsets`, { offsets: [{ topic: "kg-cross", partition: 0, offset: 11 }] })).status).toBe(200);
    expect((await http("DELETE", instance)).status).toBe(204);
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/consumer/kg-cross-g?topics=kg-cross&permits=0`, "runnel.v1");
    const assignment = await new Promise<any>((resolve, reject) => {
      ws.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === "assignment") resolve(frame);
      });
      ws.addEventListener("error", reject);
    });
    ws.close();
    expect(assignment.partitions).toEqual([{ topic: "kg-cross", partition: 0, offset: 12 }]);
  });

  it("an HTTP instance's commit and then a WebSocket subscriber's are where kafkajs consumers resume", async () => {
    await createTopic("kg-back", 1);
    await produce("kg-back", 1, 10);
    const created = await http("POST", `${server.url}/consumers/kg-back-g`, { format: "string", "auto.offset.reset": "earliest", "auto.commit.enable": "false" });
    const instance = created.body.base_uri as string;
    await http("POST", `${instance}/subscription`, { topics: ["kg-back"] });
    await waitFor("the HTTP instance's records", async () => (await http("GET", `${instance}/records?timeout=500`)).body.length > 0);
    await http("POST", `${instance}/offsets`, { offsets: [{ topic: "kg-back", partition: 0, offset: 5 }] }); // stores 6
    await http("DELETE", instance);
    const k = await consume("kg-back-g", "kg-back");
    try {
      await waitFor("the records after the HTTP commit", () => k.got.length === 4);
      expect(k.got.map((g) => g.offset)).toEqual([6, 7, 8, 9]);
    } finally {
      await k.stop();
    }
    // A WebSocket commit (the next offset to read, as Kafka's) sets where the next kafkajs consumer starts.
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/consumer/kg-back-g?topics=kg-back&permits=0`, "runnel.v1");
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === "assignment") ws.send(JSON.stringify({ type: "commit", id: 1, offsets: [{ topic: "kg-back", partition: 0, offset: 8 }] }));
        if (frame.type === "ack") resolve();
        if (frame.type === "error") reject(new Error(frame.message));
      });
    });
    ws.close();
    await waitFor("the subscriber to leave", async () => (await http("GET", "/consumer-groups/kg-back-g")).body.consumers.length === 0);
    const again = await consume("kg-back-g", "kg-back");
    try {
      await waitFor("the records after the WebSocket commit", () => again.got.length === 2);
      expect(again.got.map((g) => g.offset)).toEqual([8, 9]);
    } finally {
      await again.stop();
    }
  });
});

const hasKcat = spawnSync("kcat", ["-V"]).status === 0;

/** A kcat -G consumer of `topic` in `group` printing "partition offset value" lines, with librdkafka's protocol debug on stderr. */
function kcatGroup(group: string, topic: string, extra: string[] = []) {
  const child: ChildProcess = spawn("kcat", ["-b", `127.0.0.1:${kafkaPort}`, "-G", group, topic, "-o", "beginning", "-f", "%p %o %s\\n", "-q", "-u", "-d", "protocol", ...extra]);
  const lines: string[] = [];
  let err = "";
  let rest = "";
  child.stdout!.on("data", (c: Buffer) => {
    const parts = (rest + c.toString()).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on("data", (c: Buffer) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  void exited.then(() => clearTimeout(timer));
  const got = () => lines.map((l) => l.split(" ")).map(([p, o, v]) => ({ partition: Number(p), offset: Number(o), value: v! }));
  const stop = () => {
    child.kill("SIGTERM"); // kcat closes its consumer: it commits and leaves the group
    return exited;
  };
  return { child, got, exited, stderr: () => err, stop };
}

describe.skipIf(!hasKcat)("kcat -G (librdkafka 2.0.2)", () => {
  it("consumes as a group and commits where it got to, with the versions librdkafka negotiates", async () => {
    await createTopic("kg-kcat", 4);
    const sent = await produce("kg-kcat", 4, 5);
    const k = kcatGroup("kg-kcat-g", "kg-kcat", ["-c", "20"]);
    expect(await k.exited, k.stderr().slice(-2000)).toBe(0);
    expect(k.got().map((g) => g.value).sort()).toEqual(sent.sort());
    const sentVersions = new Set(k.stderr().match(/Sent [A-Za-z]+Request \(v\d+/g));
    for (const v of ["FindCoordinator", "JoinGroup v5", "SyncGroup v3", "Heartbeat v3", "OffsetCommit v7", "LeaveGroup v1"]) {
      const [api, version] = v.split(" ");
      expect([...sentVersions].some((s) => s.startsWith(`Sent ${api}Request`) && (version === undefined || s.endsWith(`(${version}`))), v).toBe(true);
    }
    const lags = (await http("GET", "/consumer-groups/kg-kcat-g/lags")).body.data.map((r: any) => r.current_offset);
    expect(lags).toEqual([5, 5, 5, 5]);
  });

  it("two kcat -G instances split the partitions, read each record once, and leave when stopped", async () => {
    await createTopic("kg-kcat2", 4);
    const a = kcatGroup("kg-kcat2-g", "kg-kcat2");
    const b = kcatGroup("kg-kcat2-g", "kg-kcat2");
    try {
      await waitFor("both to have synced two partitions each", async () => {
        const g = (await http("GET", "/consumer-groups/kg-kcat2-g/kafka")).body;
        return g.state === "Stable" && g.members.length === 2;
      }, 60_000);
      const sent = await produce("kg-kcat2", 4, 5);
      await waitFor("every record", () => a.got().length + b.got().length >= 20);
      const partitionsOf = (k: typeof a) => new Set(k.got().map((g) => g.partition));
      expect([partitionsOf(a).size, partitionsOf(b).size]).toEqual([2, 2]);
      expect([...partitionsOf(a)].filter((p) => partitionsOf(b).has(p))).toEqual([]);
      expect([...a.got(), ...b.got()].map((g) => g.value).sort()).toEqual(sent.sort());
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await waitFor("both to leave", async () => (await http("GET", "/consumer-groups/kg-kcat2-g")).body.consumers.length === 0, 10_000);
  });
});

describe("with authentication on (SASL/PLAIN)", () => {
  const ADMIN_SECRET = "e2e-groups-admin-secret";
  const saslDir = mkdtempSync(join(tmpdir(), "runnel-kafka-groups-sasl-"));
  let saslServer: RunningServer;
  let saslPort: number;
  const keys: Record<string, { keyId: string; secret: string }> = {};

  async function admin(method: string, path: string, body?: unknown) {
    const res = await fetch(`${saslServer.url}/v3/clusters/runnel-local${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer admin.${ADMIN_SECRET}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? null : JSON.parse(text) };
  }

  beforeAll(async () => {
    saslPort = await freePort();
    saslServer = await startServer(await freePort(), saslDir, saslPort, ADMIN_SECRET);
    expect((await admin("POST", "/topics", { topic_name: "kg-sasl", partitions_count: 1 })).status).toBe(201);
    const acl = (principal: string, resource_type: string, resource_name: string) => ({ resource_type, resource_name, pattern_type: "LITERAL", principal, host: "*", operation: "READ", permission: "ALLOW" });
    for (const name of ["member", "outsider"]) {
      const made = await admin("POST", "/keys", { principal: `User:${name}` });
      keys[name] = { keyId: made.body.key_id, secret: made.body.secret };
      expect((await admin("POST", "/acls", acl(`User:${name}`, "TOPIC", "kg-sasl"))).status).toBe(201);
    }
    expect((await admin("POST", "/acls", acl("User:member", "GROUP", "kg-sasl-g"))).status).toBe(201);
  });

  afterAll(async () => {
    await saslServer?.stop();
    rmSync(saslDir, { recursive: true, force: true });
  });

  const as = (who: string) =>
    new Kafka({ clientId: `e2e-${who}`, brokers: [`127.0.0.1:${saslPort}`], sasl: { mechanism: "plain", username: keys[who]!.keyId, password: keys[who]!.secret }, logLevel: logLevel.NOTHING, retry: { retries: 1 } });

  it("refuses a principal without READ on the group GROUP_AUTHORIZATION_FAILED, and serves one with it", async () => {
    const outsider = as("outsider").consumer({ groupId: "kg-sasl-g", retry: { retries: 0 } });
    const crashed = new Promise<any>((resolve) => outsider.on(outsider.events.CRASH, (e) => resolve(e.payload.error)));
    await outsider.connect();
    await outsider.subscribe({ topic: "kg-sasl", fromBeginning: true });
    await outsider.run({ eachMessage: async () => undefined });
    const error = await crashed;
    expect(error.type ?? error.originalError?.type).toBe("GROUP_AUTHORIZATION_FAILED");
    await outsider.disconnect();

    expect((await admin("POST", "/topics/kg-sasl/records", { value: { type: "STRING", data: "hello" } })).status).toBe(200);
    const member = await consume("kg-sasl-g", "kg-sasl", { client: as("member") });
    try {
      await waitFor("the member's record", () => member.got.length === 1);
      expect(member.got[0]!.value).toBe("hello");
    } finally {
      await member.stop();
    }
  });
});
