import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apis } from "../../src/gateway/codec/generated";
import { KafkaAsker } from "./kafka-ask";
import { freePort, startServer, type RunningServer } from "./server";
import { waitFor } from "./wait-for";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-tiered-"));
let server: RunningServer | null = null;
let base: string;
let port: number;
let kafkaPort: number;

beforeAll(async () => {
  port = await freePort();
  kafkaPort = await freePort();
  server = await startServer(port, dir, kafkaPort);
  base = `${server.url}/v3/clusters/${CLUSTER}`;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function http(method: string, url: string, body?: unknown, contentType = "application/json") {
  const res = await fetch(url, { method, headers: { "content-type": contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function readAll(topic: string): Promise<string[]> {
  const values: string[] = [];
  for (let offset = 0; ; ) {
    const res = await http("GET", `${base}/topics/${topic}/partitions/0/records?offset=${offset}&format=string`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.records.length === 0) return values;
    for (const r of res.body.records) {
      expect(r.offset).toBe(offset++);
      values.push(r.value);
    }
  }
}

/** ListOffsets v1 for partition 0 of `topic` at each of `timestamps`, over the Kafka protocol: the offsets answered. */
async function listOffsets(topic: string, timestamps: number[]): Promise<number[]> {
  const asker = await KafkaAsker.connect(kafkaPort);
  try {
    const out: number[] = [];
    for (const timestamp of timestamps) {
      const res = await asker.ask(apis.ListOffsets, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp }] }] });
      const p = res.topics[0]!.partitions[0]!;
      expect(p.errorCode).toBe(0);
      out.push(Number(p.offset));
    }
    return out;
  } finally {
    asker.close();
  }
}

describe("tiered storage on the local server (npm start: the bucket on disk under the state directory)", () => {
  it("copies closed segments to the bucket, answers ListOffsets -4 with the local log start, and reads the whole log again after a restart", async () => {
    const configs = [{ name: "segment.bytes", value: "8192" }, { name: "local.retention.bytes", value: "8192" }];
    expect((await http("POST", `${base}/topics`, { topic_name: "tiered-e2e", partitions_count: 1, configs })).status).toBe(201);
    const values: string[] = [];
    for (let i = 0; i < 30; i++) {
      const records = Array.from({ length: 10 }, (_, j) => ({ value: `r${i}-${j}-`.padEnd(200, "x") }));
      const res = await http("POST", `${server!.url}/topics/tiered-e2e/partitions/0`, { records }, "application/vnd.kafka.json.v2+json");
      expect(res.status).toBe(200);
      values.push(...records.map((r) => JSON.stringify(r.value))); // format=string shows the JSON text
    }
    const view = await waitFor("local copies dropped", async () => {
      const v = (await http("GET", `${base}/topics/tiered-e2e/partitions/0`)).body;
      return v.local_log_start_offset > 100 && v.remote_segments > 0 ? v : null;
    });
    expect(await listOffsets("tiered-e2e", [-2, -4, -1])).toEqual([0, view.local_log_start_offset, 300]);
    expect(await readAll("tiered-e2e")).toEqual(values);

    // The bucket lives under the state directory: what only it holds is there after a restart.
    await server!.stop();
    server = await startServer(port, dir, kafkaPort);
    const again = (await http("GET", `${base}/topics/tiered-e2e/partitions/0`)).body;
    expect(again.local_log_start_offset).toBeGreaterThan(100);
    expect(await readAll("tiered-e2e")).toEqual(values);
  });
});
