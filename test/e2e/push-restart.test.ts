// A push subscription survives the server's death mid-delivery: the
// server (node and its workerd) is killed with SIGKILL while batches are
// out at a slow webhook, started again on the same state directory, and
// delivery resumes from each partition's committed offset — every record
// arrives at least once, none before a record it follows, and only the
// batch that was out when the server died comes twice.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";
import { waitFor } from "./wait-for";

const C = "/v3/clusters/runnel-local";
const PARTITIONS = 2;
const PER_PARTITION = 200;
const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-push-restart-"));
let server: RunningServer | null = null;
let hook: Server | null = null;

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => (hook === null ? r(null) : hook.close(r)));
  rmSync(dir, { recursive: true, force: true });
});

/** Each request's batch as it arrived, and which run of the server sent it. */
interface Arrival {
  run: number;
  partition: number;
  offsets: number[];
}

/** A webhook on 127.0.0.1 that records each batch as it arrives and answers after `delayMs`. */
async function slowHook(arrivals: Arrival[], run: () => number, delayMs: number): Promise<string> {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString()) as { partition: number; records: { offset: number }[] };
      arrivals.push({ run: run(), partition: batch.partition, offsets: batch.records.map((r) => r.offset) });
      setTimeout(() => res.writeHead(200).end("ok"), delayMs);
    });
  });
  await new Promise<void>((r) => hook!.listen(0, "127.0.0.1", () => r()));
  const address = hook.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return `http://127.0.0.1:${address.port}/hook`;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server!.url}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

describe("a push subscription across a SIGKILL of the server", () => {
  it("delivers at least once, never out of order, resuming from the committed offset", async () => {
    const port = await freePort();
    let run = 1;
    const arrivals: Arrival[] = [];
    const url = await slowHook(arrivals, () => run, 150);
    server = await startServer(port, dir, 0, { crashable: true });
    expect((await call("POST", `${C}/topics`, { topic_name: "pr-orders", partitions_count: PARTITIONS })).status).toBe(201);
    for (let p = 0; p < PARTITIONS; p++) {
      const entries = Array.from({ length: PER_PARTITION }, (_, i) => ({ id: String(i), partition_id: p, value: { type: "JSON", data: i } }));
      expect((await call("POST", `${C}/topics/pr-orders/records:batch`, { entries })).body.failures).toEqual([]);
    }
    const made = await call("POST", `${C}/subscriptions`, { name: "pr-sub", topics: ["pr-orders"], target: { type: "webhook", url }, start: "earliest", batch_records: 10, max_wait_ms: 0 });
    expect(made.status).toBe(201);

    // Some batches accepted on each partition, and one out now: then the server dies.
    await waitFor("batches under way on every partition", () => new Set(arrivals.filter((a) => a.offsets[0]! >= 30).map((a) => a.partition)).size === PARTITIONS);
    await server.crash();
    run = 2;
    const before = arrivals.length;
    server = await startServer(port, dir, 0, { crashable: true });

    await waitFor(
      "every record delivered after the restart",
      () => [...Array(PARTITIONS).keys()].every((p) => arrivals.some((a) => a.run === 2 && a.partition === p && a.offsets.includes(PER_PARTITION - 1))),
      60_000,
    );
    expect(arrivals.length).toBeGreaterThan(before);
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = arrivals.filter((a) => a.partition === p);
      const first = mine.filter((a) => a.run === 1).flatMap((a) => a.offsets);
      const second = mine.filter((a) => a.run === 2).flatMap((a) => a.offsets);
      // Within each run: consecutive offsets, in order, each once.
      expect(first).toEqual(range(0, first.length));
      expect(second).toEqual(range(second[0]!, PER_PARTITION));
      // Resumed from the committed offset: no gap, and nothing earlier than the last batch of the first run.
      const lastBatch = mine.filter((a) => a.run === 1).at(-1)!;
      expect(second[0]).toBeGreaterThanOrEqual(lastBatch.offsets[0]!);
      expect(second[0]).toBeLessThanOrEqual(first.length);
    }
    const view = await waitFor("the commits", async () => {
      const v = (await call("GET", `${C}/subscriptions/pr-sub`)).body;
      return v.partitions.every((p: { committed_offset: number }) => p.committed_offset === PER_PARTITION) && v;
    });
    expect(view.state).toBe("active");
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
