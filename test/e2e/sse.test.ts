// Live tails (SSE) against the real server: read with curl as a person
// would, resumed with Last-Event-ID; and a reader that stops reading
// while tens of megabytes wait, which must not grow the server's memory.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { get, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runnel } from "../../src/client/index";
import { freePort, startServer, type RunningServer } from "./server";

const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-sse-"));
let server: RunningServer;
let client: Runnel;

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  client = new Runnel({ url: server.url });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const C = "/v3/clusters/runnel-local";

/** Runs curl -N on a live tail until `enough(output)` holds, then stops it; resolves with what it printed. */
function curlTail(path: string, enough: (out: string) => boolean, headers: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ["-sN", "-H", "Accept: text/event-stream", ...headers.flatMap((h) => ["-H", h]), `${server.url}${path}`];
    const curl = spawn("curl", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => {
      curl.kill();
      reject(new Error(`curl saw only: ${out.slice(0, 500)}`));
    }, 15_000);
    curl.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (enough(out)) {
        clearTimeout(timer);
        curl.kill();
        resolve(out);
      }
    });
  });
}

/** The `records` events of SSE text: id and parsed data. */
function events(text: string): { id: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: records"))
    .map((block) => {
      const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}: `))!.slice(name.length + 2);
      return { id: field("id"), data: JSON.parse(field("data")) };
    });
}

async function waitUntil(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resident memory (bytes) of the workerd process serving this test's server (a grandchild of this process). */
function serverRss(): number {
  const parentOf = (pid: string) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  };
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/stat`, "utf8").includes("(workerd)")) continue;
      if (parentOf(String(parentOf(pid))) !== process.pid) continue;
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
    } catch {
      // a process that went away
    }
  }
  throw new Error("no workerd process of this test's server");
}

describe("live tails over SSE (real server)", () => {
  it("curl follows a partition, and resumes with Last-Event-ID without gap or repeat", async () => {
    await client.admin().createTopic("sse-curl", { partitions: 2 });
    const producer = client.producer();
    await producer.send("sse-curl", ["a", "b", "c"].map((value) => ({ value, partition: 1 })));
    const first = await curlTail(`${C}/topics/sse-curl/partitions/1/records?offset=0&format=string`, (out) => events(out).length >= 1);
    expect(events(first)[0]).toEqual({ id: "3", data: [expect.objectContaining({ offset: 0, value: "a" }), expect.objectContaining({ offset: 1, value: "b" }), expect.objectContaining({ offset: 2, value: "c" })] });
    await producer.send("sse-curl", ["d", "e"].map((value) => ({ value, partition: 1 })));
    const resumed = await curlTail(`${C}/topics/sse-curl/partitions/1/records?offset=0&format=string`, (out) => events(out).length >= 1, ["Last-Event-ID: 3"]);
    expect(events(resumed)[0]!.data.map((r: { offset: number; value: string }) => [r.offset, r.value])).toEqual([[3, "d"], [4, "e"]]);
    // Topic-wide, from the beginning: every partition, ids listing each one's next offset.
    await producer.send("sse-curl", [{ value: "p0", partition: 0 }]);
    await producer.close();
    const topic = await curlTail(`${C}/topics/sse-curl/records?from=earliest&format=string`, (out) => events(out).reduce((n, e) => n + e.data.records.length, 0) >= 6);
    const all = events(topic);
    expect(all.at(-1)!.id).toBe("0:1,1:5");
    expect(all.flatMap((e) => e.data.records.map((r: { partition: number; value: string }) => `${r.partition}${r.value}`)).sort()).toEqual(["0p0", "1a", "1b", "1c", "1d", "1e"]);
  });

  it("a reader that stops reading holds the server to what the connection buffers", async () => {
    await client.admin().createTopic("sse-slow");
    const producer = client.producer({ batchBytes: 1_000_000 });
    const value = "v".repeat(1_000);
    for (let i = 0; i < 6; i++) await producer.send("sse-slow", Array.from({ length: 10_000 }, (_, j) => ({ value: `${i * 10_000 + j}-${value}` })));
    await producer.close();
    const base = serverRss();
    // 60,000 records, about 80 MB of events in base64. The reader takes the head of the stream and then stops reading.
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${server.url}${C}/topics/sse-slow/partitions/0/records?offset=0`, { headers: { accept: "text/event-stream" } }, resolve).on("error", reject),
    );
    expect(res.statusCode).toBe(200);
    res.setEncoding("utf8");
    const parts: string[] = [];
    let length = 0;
    let paused = false;
    const last = '"offset":59999,';
    const complete = new Promise<void>((resolve) =>
      res.on("data", (chunk: string) => {
        const seam = (parts.at(-1) ?? "").slice(-last.length) + chunk;
        parts.push(chunk);
        length += chunk.length;
        if (length > 100_000 && !paused) {
          paused = true;
          res.pause();
        }
        if (seam.includes(last)) resolve();
      }),
    );
    await waitUntil(() => paused);
    await new Promise((r) => setTimeout(r, 4_000)); // an unbounded server would render everything into memory meanwhile (about 150 MB)
    const grown = serverRss() - base;
    expect(length).toBeLessThan(8 * 1024 * 1024); // nothing more came while the reader stopped reading (but what the sockets hold)
    expect(grown).toBeLessThan(40 * 1024 * 1024);
    // Reading again, everything arrives, in order.
    res.resume();
    await complete;
    res.destroy();
    const text = parts.join("");
    const offsets = [...text.matchAll(/"offset":(\d+),/g)].map((m) => Number(m[1]));
    expect(offsets).toEqual(Array.from({ length: 60_000 }, (_, i) => i));
  });
});
