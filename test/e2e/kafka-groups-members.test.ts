// Consumer groups with members of every kind against the real server,
// started as `npm start` does: kafkajs consumers sharing committed offsets
// with HTTP instances and WebSocket subscribers of the same groups, and
// kcat -G (librdkafka 2.0.2) consumers. The shared setup is
// kafka-groups/harness.ts; kafkajs groups alone: kafka-groups.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { type Got, hasKcat, kafkaGroupsHarness, waitFor } from "./kafka-groups/harness";
import type { RunningServer } from "./server";

const { serve, http, createTopic, produce, consume, kcatGroup } = kafkaGroupsHarness();
let server: RunningServer;

beforeAll(async () => {
  ({ server } = await serve());
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
