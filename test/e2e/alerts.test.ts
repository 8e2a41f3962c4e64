// Alerts against the real server (`npm start`): a local webhook receiver
// (node:http) gets the firing and resolved notices of a consumer-lag rule,
// and a webhook that fails is retried with growing pauses.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

const C = "/v3/clusters/runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-alerts-"));
let server: RunningServer;
let receiver: Server;
let hook = "";

/** Every POST the receiver got: path, body, time. */
const received: { path: string; body: any; atMs: number }[] = [];
/** How many POSTs to /flaky fail (500) before one is taken. */
let flakyFailures = 2;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString()), atMs: Date.now() });
      const fail = req.url === "/flaky" && flakyFailures-- > 0;
      res.writeHead(fail ? 500 : 204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => receiver.listen(port, "127.0.0.1", resolve));
  hook = `http://127.0.0.1:${port}`;
  server = await startServer(await freePort(), dir);
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function json(method: string, path: string, body?: unknown, contentType = "application/json") {
  const res = await fetch(`${server.url}${path}`, { method, headers: { "content-type": contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

/** Waits until `check` holds, polling every 100 ms, for at most `timeoutMs`. */
async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(received)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const notices = (path: string) => received.filter((r) => r.path === path).map((r) => r.body);

describe("alerts", () => {
  it("fire when a group's lag stays above the threshold, and resolve once it has caught up", async () => {
    expect((await json("POST", `${C}/topics`, { topic_name: "e2e-alerts", partitions_count: 1 })).status).toBe(201);
    const records = Array.from({ length: 10 }, (_, i) => ({ value: i }));
    expect((await json("POST", "/topics/e2e-alerts", { records }, "application/vnd.kafka.json.v2+json")).status).toBe(200);
    const instance = await json("POST", "/consumers/e2e-lag", { name: "c1", format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false", "session.timeout.ms": 300_000 });
    const base = new URL(instance.body.base_uri).pathname;
    expect((await json("POST", `${base}/subscription`, { topics: ["e2e-alerts"] })).status).toBe(204);

    const rule = { name: "lag", kind: "consumer_lag", target: "e2e-lag", threshold: 5, for_ms: 300, webhook_url: `${hook}/hook` };
    expect((await json("POST", `${C}/alerts`, rule)).status).toBe(201);
    await until("the firing notice", () => notices("/hook").length >= 1);
    const firing = notices("/hook")[0];
    expect(firing).toEqual({ alert: "lag", status: "firing", value: 10, since: expect.any(Number) });
    expect(Object.keys(firing)).toEqual(["alert", "status", "value", "since"]);
    const shown = (await json("GET", `${C}/alerts/lag`)).body;
    expect(shown).toMatchObject({ name: "lag", state: "firing", since: firing.since, value: 10 });

    // The consumer reads everything and commits: the lag clears.
    let got = 0;
    await until("every record read", async () => {
      got += (await json("GET", `${base}/records?timeout=500`)).body.length;
      return got >= 10;
    });
    expect((await json("POST", `${base}/offsets`)).status).toBeLessThan(300);
    await until("the resolved notice", () => notices("/hook").length >= 2);
    expect(notices("/hook")[1]).toEqual({ alert: "lag", status: "resolved", value: 0, since: expect.any(Number) });
    expect(notices("/hook")[1].since).toBeGreaterThanOrEqual(firing.since);
    expect((await json("GET", `${C}/alerts/lag`)).body.state).toBe("inactive");
  }, 90_000);

  it("retry a webhook that fails, with growing pauses, until it takes the notice", async () => {
    const rule = { name: "flaky", kind: "storage_bytes", target: "e2e-alerts", threshold: 0, for_ms: 0, webhook_url: `${hook}/flaky` };
    expect((await json("POST", `${C}/alerts`, rule)).status).toBe(201);
    await until("the third attempt", () => notices("/flaky").length >= 3);
    const times = received.filter((r) => r.path === "/flaky").map((r) => r.atMs);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1_900);
    expect(new Set(notices("/flaky").map((n) => JSON.stringify(n))).size).toBe(1); // the same notice each time
    expect(notices("/flaky")[0]).toMatchObject({ alert: "flaky", status: "firing" });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^runnel_alert_deliveries_total\{outcome="failed"\} 2$/m);
    expect(metrics).toMatch(/^runnel_alert_firing\{alert="flaky",kind="storage_bytes"\} 1$/m);
  }, 60_000);
});
