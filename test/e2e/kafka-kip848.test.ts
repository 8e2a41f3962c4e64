// KIP-848's consumer group protocol end to end: @platformatic/kafka with
// groupProtocol "consumer" (ConsumerGroupHeartbeat, OffsetCommit v9 with
// member epochs) against the front door. Two consumers share a topic's
// partitions — never one partition at both at once, as their own views of
// their assignments show while the group reconciles — then one leaves and
// the other gets them all. The group is a "consumer" group to ListGroups,
// ConsumerGroupDescribe and the v3 API; its commits are the group's, as
// HTTP sees them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Admin, Consumer, type Message, type MessagesStream, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { KafkaRecorder } from "./kafka-recorder";
import { freePort, type RunningServer, startServer } from "./server";
import { waitFor } from "./wait-for";

const CLUSTER = "runnel-local";
const TOPIC = "k848-orders";
const GROUP = "k848-group";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-848-"));
let server: RunningServer;
let gateway: RunningGateway;
let recorder: KafkaRecorder;
let brokers: string[];
let base: string;

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  const recorderPort = await freePort();
  gateway = await startGateway({ url: server.url, port: 0, advertisedHost: `127.0.0.1:${recorderPort}`, quiet: true });
  recorder = await KafkaRecorder.start(gateway.port, recorderPort);
  brokers = [`127.0.0.1:${recorderPort}`];
  base = `${server.url}/v3/clusters/${CLUSTER}`;
});

afterAll(async () => {
  await recorder?.stop();
  await gateway?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Kip848Consumer = Consumer<string, string, string, string>;

const consumerNamed = (clientId: string): Kip848Consumer =>
  new Consumer({ groupId: GROUP, clientId, bootstrapBrokers: brokers, deserializers: stringDeserializers, groupProtocol: "consumer" });

/** What a consumer says it is assigned now, as "partition" numbers of the topic. */
const assigned = (c: Kip848Consumer): number[] => (c.assignments ?? []).filter((a) => a.topic === TOPIC).flatMap((a) => a.partitions).sort();

/** Reads `stream` in the background, keeping each message as "partition:offset:value", committing each. */
function reading(stream: MessagesStream<string, string, string, string>, into: string[]): Promise<void> {
  return (async () => {
    for await (const m of stream as AsyncIterable<Message<string, string, string, string>>) {
      into.push(`${m.partition}:${m.offset}:${m.value}`);
      await m.commit();
    }
  })();
}

describe("@platformatic/kafka with groupProtocol consumer (KIP-848)", () => {
  it("two consumers share the partitions without overlap, and one gets them all when the other leaves", async () => {
    const admin = new Admin({ clientId: "k848-admin", bootstrapBrokers: brokers });
    const producer = new Producer({ clientId: "k848-producer", bootstrapBrokers: brokers, serializers: stringSerializers });
    const a = consumerNamed("k848-a");
    const b = consumerNamed("k848-b");
    const overlaps: string[] = [];
    const sampler = setInterval(() => {
      const both = assigned(a).filter((p) => assigned(b).includes(p));
      if (both.length > 0) overlaps.push(`partitions ${both.join(",")} at both consumers`);
    }, 10);
    try {
      await admin.createTopics({ topics: [TOPIC], partitions: 4, replicas: 1 });
      const send = (from: number, count: number) =>
        producer.send({ messages: Array.from({ length: count }, (_, i) => ({ topic: TOPIC, value: `m${from + i}`, partition: (from + i) % 4 })) });

      const seenA: string[] = [];
      const readA = reading(await a.consume({ topics: [TOPIC], mode: "earliest", autocommit: false }), seenA);
      await waitFor("a to own every partition", () => assigned(a).length === 4, 30_000);
      await send(0, 20);
      await waitFor("a to read the first 20", () => seenA.length >= 20, 30_000);

      const seenB: string[] = [];
      const readB = reading(await b.consume({ topics: [TOPIC], mode: "earliest", autocommit: false }), seenB);
      await waitFor("the two to share the partitions", () => assigned(a).length === 2 && assigned(b).length === 2, 60_000);
      expect([...assigned(a), ...assigned(b)].sort()).toEqual([0, 1, 2, 3]);
      await send(20, 20);
      await waitFor("the next 20 to be read", () => new Set([...seenA, ...seenB].map((s) => s.split(":")[2])).size >= 40, 30_000);
      // Each read its own partitions' records.
      const partitionsOf = (seen: string[], from: number) => [...new Set(seen.filter((s) => Number(s.split(":")[2]!.slice(1)) >= from).map((s) => Number(s.split(":")[0])))].sort();
      expect(partitionsOf(seenA, 20)).toEqual(assigned(a));
      expect(partitionsOf(seenB, 20)).toEqual(assigned(b));

      const groups = await admin.listGroups({ types: ["consumer"] });
      expect(groups.get(GROUP)).toMatchObject({ id: GROUP, protocolType: "consumer" });
      const v3 = (await (await fetch(`${base}/consumer-groups/${GROUP}`)).json()) as { type: string; consumers: unknown[] };
      expect(v3).toMatchObject({ type: "CONSUMER" });
      expect(v3.consumers).toHaveLength(2);

      // a leaves (epoch -1): b gets every partition and reads what follows.
      await a.close(true);
      await readA.catch(() => undefined);
      await waitFor("b to own every partition", () => assigned(b).length === 4, 60_000);
      await send(40, 20);
      await waitFor("b to read the last 20", () => seenB.filter((s) => Number(s.split(":")[2]!.slice(1)) >= 40).length >= 20, 30_000);
      expect(overlaps).toEqual([]);

      // The commits are the group's: every partition's next offset to read, as HTTP sees it.
      await waitFor("the group's commits over HTTP", async () => {
        const res = await fetch(`${base}/consumer-groups/${GROUP}/lags`);
        const body = (await res.json()) as { data: { current_offset: number }[] };
        return body.data.length === 4 && body.data.every((l) => l.current_offset === 15);
      });
      await b.close(true);
      await readB.catch(() => undefined);

      const used = recorder.versionsUsed();
      expect(Math.max(...(used.get(68) ?? [-1]))).toBe(1); // ConsumerGroupHeartbeat v1
      expect(Math.max(...(used.get(8) ?? [-1]))).toBe(9); // OffsetCommit v9, with the member epoch
      expect(used.has(11)).toBe(false); // no JoinGroup: not the classic protocol
    } finally {
      clearInterval(sampler);
      await a.close(true).catch(() => undefined);
      await b.close(true).catch(() => undefined);
      await producer.close();
      await admin.close();
    }
  });
});
