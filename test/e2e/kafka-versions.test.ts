// Which versions real clients negotiate with the front door now that it
// serves every version Kafka defines, seen on the wire through a recorder:
// kcat (librdkafka 2.0.2: ApiVersions v3 answered at once, no fallback to
// v0; Produce v7 and Fetch v11, its highest) and kafkajs 2.2.4 (its own
// highest: Produce v7, Fetch v11, Metadata v6). With RECORD_KAFKA_FRAMES=1
// the frames become fixtures for test/gateway/recorded-frames.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { hasKcat, kcatOut } from "./kcat";
import { KafkaRecorder } from "./kafka-recorder";
import { freePort, type RunningServer, startServer } from "./server";

const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-versions-"));
let server: RunningServer;
let gateway: RunningGateway;
const recorders: KafkaRecorder[] = [];

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  gateway = await startGateway({ url: server.url, port: 0, quiet: true });
});

afterAll(async () => {
  for (const r of recorders) await r.stop();
  await gateway?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A recorder of its own for one client, and a front door that names the recorder in Metadata. */
async function recorded(): Promise<{ recorder: KafkaRecorder; port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const door = await startGateway({ url: server.url, port: 0, advertisedHost: `127.0.0.1:${port}`, quiet: true });
  const recorder = await KafkaRecorder.start(door.port, port);
  recorders.push(recorder);
  return { recorder, port, stop: () => door.stop() };
}

const highest = (r: KafkaRecorder) => Object.fromEntries([...r.versionsUsed()].map(([key, vs]) => [key, Math.max(...vs)]));

describe("the versions clients choose", () => {
  it.skipIf(!hasKcat)("kcat (librdkafka 2.0.2): metadata, an idempotent acks=all produce, a consume and a group consume", async () => {
    const { recorder, port, stop } = await recorded();
    try {
      const topic = "versions-kcat";
      const made = await fetch(`${server.url}/v3/clusters/runnel-local/topics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic_name: topic }) });
      expect(made.status).toBe(201);
      expect(await kcatOut(port, ["-L", "-t", topic])).toContain(`topic "${topic}" with 1 partitions`);
      await kcatOut(port, ["-P", "-t", topic, "-K", ":", "-X", "acks=all", "-X", "enable.idempotence=true"], "a:1\nb:2\n");
      expect(await kcatOut(port, ["-C", "-t", topic, "-o", "beginning", "-e", "-f", "%k=%s\n"])).toBe("a=1\nb=2\n");
      expect(await kcatOut(port, ["-G", "versions-kcat-g", topic, "-o", "beginning", "-e", "-f", "%k=%s\n", "-X", "enable.partition.eof=true"])).toBe("a=1\nb=2\n");
      const used = highest(recorder);
      // ApiVersions v3 is served: no UNSUPPORTED_VERSION round trip, so no v0.
      expect(recorder.versionsUsed().get(18)).toEqual(new Set([3]));
      expect(used).toMatchObject({ 0: 7, 1: 11, 2: 2, 3: 4, 22: 4, 10: 2, 11: 5, 14: 3, 8: 7 });
      recorder.save("kcat");
    } finally {
      await stop();
    }
  });

  it("kafkajs 2.2.4: admin, produce and a group consume at its highest versions", async () => {
    const { recorder, port, stop } = await recorded();
    const kafka = new Kafka({ clientId: "versions-kafkajs", brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true });
    const consumer = kafka.consumer({ groupId: "versions-kafkajs-g" });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "versions-kafkajs", numPartitions: 2 }] });
      await producer.connect();
      await producer.send({ topic: "versions-kafkajs", acks: -1, messages: [{ key: "k", value: "v", partition: 1 }] });
      await consumer.connect();
      await consumer.subscribe({ topic: "versions-kafkajs", fromBeginning: true });
      const got = new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(`${message.key}=${message.value}`) }));
      expect(await got).toBe("k=v");
      expect(highest(recorder)).toMatchObject({ 0: 7, 1: 11, 3: 6, 18: 2, 19: 3, 22: 1, 11: 5, 14: 3 });
      recorder.save("kafkajs");
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      await stop();
    }
  });
});
