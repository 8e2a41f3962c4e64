import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-failover-"));
let server: RunningServer;
let C = "";

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  C = `${server.url}/v3/clusters/runnel-local`;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function json(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

/** Polls `check` every 50 ms until it returns true, failing after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a replication-factor-3 topic on the real server", () => {
  it("survives its leader's broker going down mid-stream with every acknowledged record once, in order", async () => {
    const created = await json("POST", `${C}/topics`, {
      topic_name: "e2e-failover",
      partitions_count: 2,
      replication_factor: 3,
      configs: [{ name: "replica.lag.time.max.ms", value: "1000" }],
    });
    expect(created.status).toBe(201);

    const acknowledged: string[][] = [[], []];
    for (let i = 0; i < 40; i++) {
      if (i === 15) expect((await json("POST", `${C}/brokers/0/faults`, { mode: "down" })).status).toBe(204);
      const partition = i % 2;
      const records = [0, 1, 2].map((j) => ({ value: `r${i}-${j}`, partition }));
      await until(`batch ${i} acknowledged`, async () => {
        const res = await json("POST", `${server.url}/topics/e2e-failover`, { records }, { "content-type": "application/vnd.kafka.json.v2+json", "idempotency-key": `e2e-${i}` });
        return res.status === 200 && res.body.offsets.every((o: { error_code: number | null }) => o.error_code === null);
      });
      acknowledged[partition]!.push(...records.map((r) => r.value));
    }

    for (const p of [0, 1]) {
      const state = await json("GET", `${C}/topics/e2e-failover/partitions/${p}`);
      expect(state.body.leader.broker_id).not.toBe(0);
      const got = await json("GET", `${C}/topics/e2e-failover/partitions/${p}/records?offset=0&format=json`);
      expect(got.body.records.map((r: { value: string }) => r.value)).toEqual(acknowledged[p]);
      expect(got.body.records.map((r: { offset: number }) => r.offset)).toEqual(acknowledged[p]!.map((_, k) => k));
    }

    // Back again: broker 0 catches up, rejoins every ISR and holds the same log end.
    await json("POST", `${C}/brokers/0/faults`, { mode: "heal" });
    for (const p of [0, 1]) {
      await until(`broker 0 back in partition ${p}'s ISR with the same log end`, async () => {
        const state = await json("GET", `${C}/topics/e2e-failover/partitions/${p}`);
        const ends = state.body.replicas.map((r: { log_end_offset: number }) => r.log_end_offset);
        return state.body.isr.length === 3 && new Set(ends).size === 1 && ends[0] === acknowledged[p]!.length;
      });
    }
  });
});
