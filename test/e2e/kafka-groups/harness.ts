// The Kafka consumer-group end-to-end harness: a server on a fresh state
// directory with the Kafka protocol on, kafkajs and kcat consumers in
// groups, and the HTTP calls the tests check them with.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type Consumer } from "kafkajs";
import { afterAll, expect } from "vitest";
import { freePort, startServer, type RunningServer } from "../server";
import { waitFor as sharedWaitFor } from "../wait-for";

/** The shared `waitFor` (../wait-for.ts) with this suite's longer default: Kafka clients' rebalances take seconds. */
export function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  return sharedWaitFor(what, check, timeoutMs);
}

/** A record a consumer got. */
export interface Got {
  partition: number;
  offset: number;
  value: string;
}

/** A kafkajs consumer of `topic` in `groupId` through `client`, running (from the beginning unless `fromBeginning` is false): what it got, and the partitions its latest join gave it. */
export async function consumeIn(client: Kafka, groupId: string, topic: string, o: { fromBeginning?: boolean } = {}) {
  const consumer: Consumer = client.consumer({ groupId, heartbeatInterval: 300, maxWaitTimeInMs: 300, sessionTimeout: 10_000, rebalanceTimeout: 10_000 });
  const got: Got[] = [];
  const joins: Record<string, number[]>[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => joins.push(e.payload.memberAssignment));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: o.fromBeginning ?? true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, offset: Number(message.offset), value: message.value!.toString() }) });
  const assigned = () => [...(joins.at(-1)?.[topic] ?? [])].sort();
  return { consumer, got, joins, assigned, stop: () => consumer.disconnect() };
}

/** A running kafkajs consumer (`consumeIn`). */
export type Running = Awaited<ReturnType<typeof consumeIn>>;

/** Whether the consumers' latest assignments cover `partitions` partitions, each once, and each has at least one. */
export function split(consumers: Running[], partitions: number): boolean {
  const all = consumers.flatMap((c) => c.assigned()).sort((a, b) => a - b);
  return consumers.every((c) => c.assigned().length > 0) && all.length === partitions && all.every((p, i) => p === i);
}

/** Every value the consumers got, sorted, and whether each came to the consumer that owned its partition. */
export function values(consumers: Running[]): string[] {
  for (const c of consumers) for (const g of c.got) expect(g.value).toContain(`-p${g.partition}-`);
  return consumers.flatMap((c) => c.got.map((g) => g.value)).sort();
}

/** Whether kcat is on the PATH. */
export { hasKcat } from "../kcat";

/**
 * Registers the file's hook (the server stopped and its state removed
 * after all) and returns how to start the server (`serve`, from the
 * file's beforeAll) and the helpers that use it.
 */
export function kafkaGroupsHarness() {
  let dir: string | undefined;
  let server: RunningServer | undefined;
  let base = "";
  let kafkaPort = 0;
  let kafka: Kafka | undefined;

  /** The server as `npm start` runs it with the Kafka protocol on, on a fresh state directory, and a kafkajs client of it (no logs, 5 retries). */
  async function serve() {
    dir = mkdtempSync(join(tmpdir(), "runnel-kafka-groups-"));
    kafkaPort = await freePort();
    server = await startServer(await freePort(), dir, kafkaPort);
    base = `${server.url}/v3/clusters/runnel-local`;
    kafka = new Kafka({ clientId: "e2e-groups", brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    return { server, kafkaPort, kafka };
  }

  /** A JSON call: `url` is absolute or under the cluster's /v3 path; the body parsed (null when empty). */
  async function http(method: string, url: string, body?: unknown) {
    const res = await fetch(url.startsWith("http") ? url : `${base}${url}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text === "" ? null : JSON.parse(text) };
  }

  /** Creates `name` with `partitions` partitions and unlimited retention, or fails the test. */
  async function createTopic(name: string, partitions: number) {
    const res = await http("POST", "/topics", { topic_name: name, partitions_count: partitions, configs: [{ name: "retention.ms", value: "-1" }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  /** Produces `count` records to every partition (kafkajs, acks=all), values "{tag}-p{partition}-{i}". */
  async function produce(topic: string, partitions: number, count: number, tag = "r") {
    const messages = [];
    for (let p = 0; p < partitions; p++) for (let i = 0; i < count; i++) messages.push({ value: `${tag}-p${p}-${i}`, partition: p });
    const producer = served().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
    return messages.map((m) => m.value);
  }

  /** `consumeIn` through `o.client`, by default the served server's kafkajs client. */
  function consume(groupId: string, topic: string, o: { fromBeginning?: boolean; client?: Kafka } = {}) {
    return consumeIn(o.client ?? served(), groupId, topic, o);
  }

  /** A kcat -G consumer of `topic` in `group` printing "partition offset value" lines, with librdkafka's protocol debug on stderr; killed after 90 s. */
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

  function served(): Kafka {
    if (kafka === undefined) throw new Error("kafkaGroupsHarness: serve() was not called");
    return kafka;
  }

  afterAll(async () => {
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return { serve, http, createTopic, produce, consume, kcatGroup };
}
