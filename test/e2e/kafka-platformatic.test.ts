// @platformatic/kafka against the front door: it picks the highest version
// both sides serve, which here are flexible ones (KIP-482; its 1.x releases
// speak nothing else, and failed on a front door without them) — Metadata 12 with topic ids, Fetch 17 naming topics by id,
// Produce 11, ListOffsets 9, FindCoordinator 6 (batched), JoinGroup 9,
// OffsetCommit 9, ApiVersions 3, CreateTopics 7, DeleteTopics 6 — through
// admin calls, an idempotent producer and a consumer group.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { KafkaRecorder } from "./kafka-recorder";
import { freePort, type RunningServer, startServer } from "./server";
import { waitFor } from "./wait-for";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-plt-"));
let server: RunningServer;
let gateway: RunningGateway;
let recorder: KafkaRecorder;
let brokers: string[];
let base: string;

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  // The client reaches the front door through a recorder, which Metadata names as the broker.
  const recorderPort = await freePort();
  gateway = await startGateway({ url: server.url, port: 0, advertisedHost: `127.0.0.1:${recorderPort}`, quiet: true });
  recorder = await KafkaRecorder.start(gateway.port, recorderPort);
  brokers = [`127.0.0.1:${recorderPort}`];
  base = `${server.url}/v3/clusters/${CLUSTER}`;
});

afterAll(async () => {
  recorder?.save("platformatic");
  await recorder?.stop();
  await gateway?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every record of a partition over HTTP, as [offset, key, value, headers]. */
async function readHttp(topic: string, partition: number): Promise<[number, string | null, string, Record<string, string>][]> {
  const res = await fetch(`${base}/topics/${topic}/partitions/${partition}/records?offset=0&format=string`);
  const body = (await res.json()) as { records: { offset: number; key: string | null; value: string; headers: { name: string; value: string }[] }[] };
  return body.records.map((r) => [r.offset, r.key, r.value, Object.fromEntries(r.headers.map((h) => [h.name, Buffer.from(h.value, "base64").toString()]))]);
}

describe("@platformatic/kafka (flexible versions)", () => {
  it("creates, describes and deletes topics, with the topic ids Runnel gave them", async () => {
    const admin = new Admin({ clientId: "plt-admin", bootstrapBrokers: brokers });
    try {
      const created = await admin.createTopics({ topics: ["plt-admin"], partitions: 3, replicas: 1 });
      expect(created).toEqual([expect.objectContaining({ name: "plt-admin", partitions: 3, replicas: 1 })]);
      const id = created[0]!.id;
      const view = (await (await fetch(`${base}/topics/plt-admin`)).json()) as { topic_id: string };
      expect(Buffer.from(id.replace(/-/g, ""), "hex").toString("hex")).toBe(view.topic_id.replace(/-/g, ""));
      const meta = await admin.metadata({ topics: ["plt-admin"] });
      const topic = meta.topics.get("plt-admin")!;
      expect([topic.partitionsCount, topic.id]).toEqual([3, id]);
      expect(topic.partitions.map((p) => p.leader)).toEqual([meta.brokers.keys().next().value, meta.brokers.keys().next().value, meta.brokers.keys().next().value]);
      await admin.deleteTopics({ topics: ["plt-admin"] });
      expect((await fetch(`${base}/topics/plt-admin`)).status).toBe(404);
    } finally {
      await admin.close();
    }
  });

  it("produces (idempotent, with keys and headers) what HTTP reads, and consumes it in a group that commits", async () => {
    const admin = new Admin({ clientId: "plt-admin", bootstrapBrokers: brokers });
    const producer = new Producer({ clientId: "plt-producer", bootstrapBrokers: brokers, serializers: stringSerializers, idempotent: true });
    const consumer = new Consumer({ groupId: "plt-group", clientId: "plt-consumer", bootstrapBrokers: brokers, deserializers: stringDeserializers });
    try {
      await admin.createTopics({ topics: ["plt-orders"], partitions: 2, replicas: 1 });
      const messages = Array.from({ length: 20 }, (_, i) => ({ topic: "plt-orders", key: `k${i}`, value: `order ${i}`, partition: i % 2, headers: { trace: `t${i}` } }));
      await producer.send({ messages, acks: -1 });
      const stored = [...(await readHttp("plt-orders", 0)), ...(await readHttp("plt-orders", 1))].map(([, key, value, headers]) => [key, value, headers.trace]);
      expect(stored.sort()).toEqual(messages.map((m) => [m.key, m.value, m.headers.trace]).sort());

      const stream = await consumer.consume({ topics: ["plt-orders"], mode: "earliest", autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 500 });
      const seen: string[] = [];
      for await (const message of stream) {
        seen.push(`${message.partition}:${message.offset}:${message.key}=${message.value}:${message.headers.get("trace")}`);
        await message.commit();
        if (seen.length === messages.length) break;
      }
      expect(seen.sort()).toEqual(messages.map((m, i) => `${m.partition}:${Math.floor(i / 2)}:${m.key}=${m.value}:t${i}`).sort());
      await stream.close();
      // The commits are the group's, as HTTP sees them: the next offset to read of each partition.
      await waitFor("the group's commits over HTTP", async () => {
        const res = await fetch(`${base}/consumer-groups/plt-group/lags`);
        const body = (await res.json()) as { data: { partition_id: number; current_offset: number }[] };
        return body.data.length === 2 && body.data.every((l) => l.current_offset === 10);
      });
      const groups = await admin.listGroups();
      expect([...groups.keys()]).toContain("plt-group");
      const described = await admin.describeGroups({ groups: ["plt-group"] });
      expect(described.get("plt-group")).toMatchObject({ id: "plt-group", protocolType: "consumer" });
      // The highest versions both sides serve, every one flexible.
      const used = recorder.versionsUsed();
      const highest = (key: number) => Math.max(...(used.get(key) ?? [-1]));
      expect([0, 1, 2, 3, 8, 10, 11, 14, 15, 16, 18, 19, 20, 22].map((key) => [key, highest(key)])).toEqual([
        [0, 11], [1, 17], [2, 9], [3, 12], [8, 9], [10, 6], [11, 9], [14, 5], [15, 5], [16, 5], [18, 3], [19, 7], [20, 6], [22, 5],
      ]);
    } finally {
      await consumer.close(true);
      await producer.close();
      await admin.close();
    }
  });
});
