import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";
import { waitFor } from "./wait-for";

const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-groups-"));
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function json(method: string, url: string, body?: unknown) {
  const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

type Frame = Record<string, any>;

/** A WebSocket subscriber over the network, as a client would open it. */
async function subscriber(base: string, group: string, query: string) {
  const ws = new WebSocket(`${base.replace("http", "ws")}/ws/v1/consumer/${group}?${query}`, "runnel.v1");
  const frames: Frame[] = [];
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(String(e.data)));
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  const until = (what: string, check: () => boolean, timeoutMs = 10_000) => waitFor(what, check, timeoutMs);
  const latest = () => [...frames].reverse().find((f) => f.type === "assignment");
  const records = () => frames.filter((f) => f.type === "records").flatMap((f) => f.records as Frame[]);
  return { ws, frames, until, latest, records };
}

describe("consumer groups on the real server", () => {
  it("split partitions between WebSocket subscribers whose acked commits survive a restart", async () => {
    const port = await freePort();
    server = await startServer(port, dir);
    const C = `${server.url}/v3/clusters/runnel-local`;
    expect((await json("POST", `${C}/topics`, { topic_name: "e2e-ws", partitions_count: 4 })).status).toBe(201);
    const a = await subscriber(server.url, "e2e-ws-g", "topics=e2e-ws&auto_offset_reset=earliest&permits=100&format=json");
    const b = await subscriber(server.url, "e2e-ws-g", "topics=e2e-ws&auto_offset_reset=earliest&permits=100&format=json");
    await a.until("a split", () => a.latest()?.partitions.length === 2 && b.latest()?.partitions.length === 2);
    // Produced after the split, so each record goes to exactly one subscriber (before it, a would read and b re-read).
    const records = Array.from({ length: 40 }, (_, i) => ({ value: `v${i}`, partition: i % 4 }));
    expect((await json("POST", `${server.url}/topics/e2e-ws`, { records })).status).toBe(200);
    await a.until("all records", () => a.records().length + b.records().length === 40);
    expect(a.records()).toHaveLength(20);
    expect([...a.records(), ...b.records()].map((r) => r.value).sort()).toEqual(records.map((r) => r.value).sort());

    for (const s of [a, b]) {
      const offsets = s.latest()!.partitions.map((p: Frame) => ({ topic: "e2e-ws", partition: p.partition, offset: 10 }));
      s.ws.send(JSON.stringify({ type: "commit", id: "done", offsets }));
      await s.until("ack", () => s.frames.some((f) => f.type === "ack" && f.id === "done"));
      s.ws.close();
    }
    // The server has seen both sockets close (their members left) before it stops.
    await waitFor("the subscribers to leave", async () => (await json("GET", `${C}/consumer-groups/e2e-ws-g`)).body.consumers.length === 0, 10_000);

    await server.stop();
    server = await startServer(port, dir);
    const lags = await json("GET", `${server.url}/v3/clusters/runnel-local/consumer-groups/e2e-ws-g/lags`);
    expect(lags.body.data.map((r: Frame) => [r.partition_id, r.current_offset, r.lag])).toEqual([[0, 10, 0], [1, 10, 0], [2, 10, 0], [3, 10, 0]]);

    // An HTTP instance of the same group carries on from the committed offsets.
    const created = await json("POST", `${server.url}/consumers/e2e-ws-g`, { format: "json", "auto.offset.reset": "earliest" });
    const base = created.body.base_uri as string;
    await json("POST", `${base}/subscription`, { topics: ["e2e-ws"] });
    await json("POST", `${server.url}/topics/e2e-ws`, { records: [{ value: "after", partition: 2 }] });
    const got = await waitFor("the record produced after the restart", async () => {
      const polled = await json("GET", `${base}/records?timeout=500`);
      expect(polled.status).toBe(200);
      return (polled.body as Frame[]).length > 0 ? (polled.body as Frame[]) : null;
    }, 10_000);
    expect(got.map((r) => [r.partition, r.offset, r.value])).toEqual([[2, 10, "after"]]);

    // Its commit has the REST meaning (the last offset consumed); the group stores the next one to read,
    // which is what GET …/offsets, the lags and a WebSocket subscriber of the group see.
    expect((await json("POST", `${base}/offsets`, { offsets: [{ topic: "e2e-ws", partition: 2, offset: 10 }] })).status).toBe(200);
    const committed = await json("GET", `${base}/offsets`); // (fetch sends no GET body: every partition it owns)
    expect(committed.body.offsets.find((o: Frame) => o.partition === 2)).toEqual({ topic: "e2e-ws", partition: 2, offset: 11, metadata: "" });
    const after = await json("GET", `${server.url}/v3/clusters/runnel-local/consumer-groups/e2e-ws-g/lags/e2e-ws/partitions/2`);
    expect(after.body).toMatchObject({ current_offset: 11, log_end_offset: 11, lag: 0 });
    expect((await json("DELETE", base)).status).toBe(204);
    const c = await subscriber(server.url, "e2e-ws-g", "topics=e2e-ws&permits=0");
    await c.until("c's assignment", () => c.latest()?.partitions.length === 4);
    expect(c.latest()!.partitions.find((p: Frame) => p.partition === 2).offset).toBe(11);
    c.ws.close();
  });
});
