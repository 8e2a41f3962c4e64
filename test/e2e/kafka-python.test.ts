// kafka-python (Debian's python3-kafka 2.0.2) pinned to old brokers'
// protocols: with api_version 0.9 it sends no ApiVersions and speaks Kafka
// 0.9's versions — Produce v1 and Fetch v1 in message format v0 (magic 0),
// GroupCoordinator, JoinGroup/SyncGroup/Heartbeat v0, OffsetCommit v2,
// OffsetFetch v1, ListOffsets v0; with 0.10.1, Produce v2 and Fetch v3 in
// message format v1 (magic 1, timestamps). Records produced so are stored
// as record batches (HTTP reads them), consumed back in a group, and their
// commits are the group's.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { KafkaRecorder } from "./kafka-recorder";
import { freePort, type RunningServer, startServer } from "./server";

/** Debian's Python, where python3-kafka installs (not another python3 on PATH). */
const PYTHON = "/usr/bin/python3";
/** Whether kafka-python is installed (`.ci/run` installs python3-kafka; these tests are skipped without it). */
const hasKafkaPython = spawnSync(PYTHON, ["-c", "import kafka"]).status === 0;
const CLIENT = new URL("./kafka-python-client.py", import.meta.url).pathname;
const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-python-"));
let server: RunningServer;
let gateway: RunningGateway;
let recorder: KafkaRecorder;
let bootstrap: string;
let base: string;

beforeAll(async () => {
  if (!hasKafkaPython) return;
  server = await startServer(await freePort(), dir);
  const recorderPort = await freePort();
  gateway = await startGateway({ url: server.url, port: 0, advertisedHost: `127.0.0.1:${recorderPort}`, quiet: true });
  recorder = await KafkaRecorder.start(gateway.port, recorderPort);
  bootstrap = `127.0.0.1:${recorderPort}`;
  base = `${server.url}/v3/clusters/${CLUSTER}`;
});

afterAll(async () => {
  recorder?.save("kafka-python");
  await recorder?.stop();
  await gateway?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the client with `args`; resolves with its stdout, rejects with its stderr when it fails or takes over 60 s. */
function kafkaPython(args: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [CLIENT, JSON.stringify({ bootstrap, ...args })], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kafka-python ${JSON.stringify(args)} exited with ${code}: ${err}`));
    });
  });
}

async function createTopic(name: string, partitions: number): Promise<void> {
  const res = await fetch(`${base}/topics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic_name: name, partitions_count: partitions }) });
  expect(res.status).toBe(201);
}

/** Every record of a partition over HTTP: [offset, key, value, timestamp]. */
async function readHttp(topic: string, partition: number): Promise<[number, string | null, string, number][]> {
  const res = await fetch(`${base}/topics/${topic}/partitions/${partition}/records?offset=0&format=string`);
  const body = (await res.json()) as { records: { offset: number; key: string | null; value: string; timestamp: number }[] };
  return body.records.map((r) => [r.offset, r.key, r.value, r.timestamp]);
}

describe.skipIf(!hasKafkaPython)("kafka-python pinned to Kafka 0.9's and 0.10.1's protocols", () => {
  const cases = [
    { name: "0.9 (message format v0)", apiVersion: [0, 9], compression: null, topic: "py-09" },
    { name: "0.9 (message format v0, gzip)", apiVersion: [0, 9], compression: "gzip", topic: "py-09-gzip" },
    { name: "0.10.1 (message format v1, timestamps)", apiVersion: [0, 10, 1], compression: null, topic: "py-0101" },
    { name: "0.10.1 (message format v1, gzip: relative inner offsets)", apiVersion: [0, 10, 1], compression: "gzip", topic: "py-0101-gzip" },
  ];

  it.each(cases)("$name: produces what HTTP reads, and consumes it back in a group that commits", async ({ apiVersion, compression, topic }) => {
    await createTopic(topic, 2);
    const startedMs = Date.now();
    await kafkaPython({ mode: "produce", api_version: apiVersion, topic, count: 30, partitions: 2, compression });
    const stored = [...(await readHttp(topic, 0)), ...(await readHttp(topic, 1))];
    expect(stored.map(([, key, value]) => `${key}=${value}`).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `k${i}=v${i}`).sort());
    // Magic 0 carries no time (the time of arrival is used); magic 1 the producer's.
    for (const [, , , timestamp] of stored) expect(timestamp).toBeGreaterThanOrEqual(startedMs - 1000);
    expect((await readHttp(topic, 0)).map(([offset]) => offset)).toEqual(Array.from({ length: 15 }, (_, i) => i));

    const consumed = JSON.parse(await kafkaPython({ mode: "consume", api_version: apiVersion, topic, count: 30, group: `${topic}-g` })) as [number, number, string, string, number][];
    expect(consumed.map(([partition, offset, key, value]) => `${partition}/${offset}:${key}=${value}`).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `${i % 2}/${Math.floor(i / 2)}:k${i}=v${i}`).sort(),
    );
    const lags = (await (await fetch(`${base}/consumer-groups/${topic}-g/lags`)).json()) as { data: { current_offset: number }[] };
    expect(lags.data.map((l) => l.current_offset)).toEqual([15, 15]);
  });

  it("spoke the old versions it was pinned to, with no ApiVersions", () => {
    const used = recorder.versionsUsed();
    const versions = (key: number) => [...(used.get(key) ?? [])].sort((a, b) => a - b);
    expect(versions(18)).toEqual([]);
    expect(versions(0)).toEqual([1, 2]); // Produce: v1 (0.9, magic 0), v2 (0.10.1, magic 1)
    expect(versions(1)).toEqual([1, 3]); // Fetch: v1 (magic 0), v3 (magic 1)
    expect(versions(11)).toContain(0); // JoinGroup v0 (0.9)
    expect(versions(8)).toContain(2); // OffsetCommit v2
  });
});

describe.skipIf(!hasKafkaPython)("kafka-python's KafkaAdminClient", () => {
  it("alters and describes configs, adds partitions and deletes groups; ACLs are SECURITY_DISABLED with authentication off", async () => {
    await createTopic("py-admin", 1);
    const commit = { member_id: "", generation_id: -1, offsets: [{ topic: "py-admin", partition: 0, offset: 0, metadata: null }] };
    expect((await fetch(`${base}/consumer-groups/py-admin-g/kafka/commit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(commit) })).status).toBe(200);
    const out = JSON.parse(await kafkaPython({ mode: "admin", topic: "py-admin", groups: ["py-admin-g", "py-admin-never"] }));
    expect(out).toEqual({
      api_version: [2, 5, 0],
      alter: [["py-admin", 0]],
      topic_configs: [["retention.ms", "5000", false, 1]],
      broker_configs: [["log.retention.ms", "604800000", true, 5]],
      partitions: [["py-admin", 0]],
      acls: "SecurityDisabledError",
      groups: [["py-admin-g", "NoError"], ["py-admin-never", "GroupIdNotFoundError"]],
    });
    const topic = (await (await fetch(`${base}/topics/py-admin`)).json()) as { partitions_count: number };
    expect(topic.partitions_count).toBe(3);
    expect((await fetch(`${base}/consumer-groups/py-admin-g`)).status).toBe(404);
    const used = recorder.versionsUsed();
    const picked = Object.fromEntries([32, 33, 37, 29, 42].map((key) => [key, [...(used.get(key) ?? [])]]));
    expect(picked).toEqual({ 32: [2], 33: [1], 37: [1], 29: [1], 42: [1] }); // DescribeConfigs, AlterConfigs, CreatePartitions, DescribeAcls, DeleteGroups
  });
});
