// Consumer groups of kafkajs 2.2.4 consumers over the Kafka protocol
// against the real server, started as `npm start` does: splitting a
// topic, resuming from committed offsets, rebalancing as members join and
// leave, and offsets set while the group is empty. The shared setup is
// kafka-groups/harness.ts; kcat and HTTP/WebSocket members of the same
// groups: kafka-groups-members.test.ts; SASL: kafka-groups-sasl.test.ts.
import { Kafka, logLevel, type LogEntry } from "kafkajs";
import { beforeAll, describe, expect, it } from "vitest";
import { kafkajsRequest } from "../gateway/kafkajs";
import { kafkaGroupsHarness, split, values, waitFor } from "./kafka-groups/harness";
import { KafkaSocket } from "./kafka-socket";

const { serve, http, createTopic, produce, consume } = kafkaGroupsHarness();
let kafkaPort: number;
let kafka: Kafka;

beforeAll(async () => {
  ({ kafkaPort, kafka } = await serve());
});

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
