// The `runnel` CLI as a child process against the real server: through
// pipes, and through a pseudo-terminal (script(1)) for the progress bar.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";
import { waitFor } from "./wait-for";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(root, "dist/cli/runnel.mjs");
const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-cli-"));
let open: RunningServer;
let secured: RunningServer;
const ADMIN = "admin.cli-test-secret";

beforeAll(async () => {
  // The bin as `npm install` builds it.
  await promisify(execFile)(process.execPath, ["scripts/build-client.mjs"], { cwd: root });
  open = await startServer(await freePort(), join(dir, "open"));
  secured = await startServer(await freePort(), join(dir, "secured"), 0, "cli-test-secret");
}, 180_000);

afterAll(async () => {
  await open?.stop();
  await secured?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI with `args`, `input` on stdin; RUNNEL_URL is the open server unless `env` says otherwise. */
function runnel(args: string[], input?: Buffer | string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, RUNNEL_URL: open.url, RUNNEL_KEY: "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status: status ?? -1, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.end(input);
  });
}

const json = (r: Run) => JSON.parse(r.stdout.toString());

/** `runnel {args} | head -n {lines}` in bash with pipefail: the CLI's exit status and stderr, and what head printed. */
async function throughHead(args: readonly string[], lines: number): Promise<{ status: number; stderr: string; stdout: string }> {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(" ");
  const script = `${quoted} 2>"$ERR" | head -n ${lines}; echo "status=\${PIPESTATUS[0]}" >&2`;
  const err = join(dir, `pipe-${Math.random().toString(36).slice(2)}.err`);
  const { stdout, stderr } = await promisify(execFile)("bash", ["-c", script], { env: { ...process.env, RUNNEL_URL: open.url, RUNNEL_KEY: "", ERR: err }, timeout: 60_000 });
  return { status: Number(/status=(\d+)/.exec(stderr)?.[1] ?? -1), stderr: readFileSync(err, "utf8"), stdout };
}

describe("runnel CLI", () => {
  it("creates, lists, describes, alters and deletes topics, with tables or --json", async () => {
    expect((await runnel(["topics", "create", "cli-topics", "-p", "2", "-c", "retention.ms=86400000"])).status).toBe(0);
    const list = await runnel(["topics", "list", "--json"]);
    expect(list.status).toBe(0);
    expect(json(list).map((t: { topic_name: string }) => t.topic_name)).toContain("cli-topics");
    const table = await runnel(["topics", "list"]);
    expect(table.stdout.toString()).toMatch(/│ cli-topics\s+│ 2\s+│ 1\s+│/);
    expect((await runnel(["topics", "alter", "cli-topics", "-p", "3", "--delete-config", "retention.ms"])).status).toBe(0);
    const described = json(await runnel(["--json", "topics", "describe", "cli-topics"]));
    expect(described.partitions_count).toBe(3);
    expect(described.configs.find((c: { name: string }) => c.name === "retention.ms").is_default).toBe(true);
    expect(described.partitions[0]).toMatchObject({ local_log_start_offset: 0, local_size_bytes: 0, remote_size_bytes: 0, remote_segments: 0 });
    expect((await runnel(["topics", "describe", "cli-topics"])).stdout.toString()).toMatch(/local start.*local bytes.*remote bytes.*remote segments/s);
    expect((await runnel(["topics", "delete", "cli-topics"])).status).toBe(0);
  });

  it("describes a compacted topic's partitions with their log cleaner", async () => {
    const configs = ["cleanup.policy=compact", "segment.bytes=100", "min.cleanable.dirty.ratio=0"].flatMap((c) => ["-c", c]);
    expect((await runnel(["topics", "create", "cli-compacted", ...configs])).status).toBe(0);
    for (const line of ["a:1", "a:2", "b:1"]) expect((await runnel(["produce", "cli-compacted", "-K", ":", "-p", "0"], `${line}\n`)).status).toBe(0);
    const cleaned = await waitFor("the cleaner's pass", async () => {
      const d = json(await runnel(["--json", "topics", "describe", "cli-compacted"]));
      return d.partitions[0].cleaner?.last_cleaned_offset === 2 ? d : null;
    });
    expect(cleaned.partitions[0].cleaner).toMatchObject({ dirty_ratio: 0, last_run: expect.any(Number) });
    const text = (await runnel(["topics", "describe", "cli-compacted"])).stdout.toString();
    expect(text).toMatch(/│ cleaned to\s+│ dirty ratio\s+│ last cleaned\s+│/);
    // log start, high watermark, log end; tiered storage's four columns; then the cleaner's
    expect(text).toMatch(/│ 0\s+│ 3\s+│ 3\s+│ \d+\s+│ \d+\s+│ \d+\s+│ \d+\s+│ 2\s+│ 0\.00\s+│ \d{4}-\d\d-\d\dT/);
  });

  it("exits non-zero with the API's message on stderr", async () => {
    const missing = await runnel(["topics", "describe", "cli-nope"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^runnel: topic 'cli-nope' does not exist \(error_code 40401 UNKNOWN_TOPIC_OR_PARTITION, request [0-9a-f-]+\)\n$/);
    expect((await runnel(["consume", "cli-nope", "-e"])).status).toBe(1);
    const usage = await runnel(["consume", "x", "-f", "%q"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/unknown format code '%q'/);
    expect((await runnel(["bogus"])).status).toBe(2);
    const unreachable = await runnel(["topics", "list"], undefined, { RUNNEL_URL: "http://127.0.0.1:1" });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/no answer/);
  });

  it("produces a 100,000-line file through a pseudo-terminal (with a progress bar) and consumes it back byte for byte", async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => (i % 1000 === 7 ? "" : `line ${i} ünïcødé\t${"x".repeat(i % 40)}${i % 500 === 3 ? "\r" : ""}`));
    const file = join(dir, "lines.txt");
    const content = Buffer.from(`${lines.join("\n")}\n`);
    writeFileSync(file, content);
    expect((await runnel(["topics", "create", "cli-file"])).status).toBe(0);
    // script(1) gives the CLI a terminal: the progress bar shows there.
    const command = [process.execPath, bin, "--url", open.url, "produce", "cli-file", "--file", file].map((a) => `'${a}'`).join(" ");
    const tty = await new Promise<Run>((resolve) => {
      const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      child.stdout.on("data", (c: Buffer) => out.push(c));
      child.on("close", (status) => resolve({ status: status ?? -1, stdout: Buffer.concat(out), stderr: "" }));
      child.stdin.end();
    });
    const screen = tty.stdout.toString();
    expect(tty.status).toBe(0);
    expect(screen).toContain("100%");
    expect(screen).toContain(`${content.length}/${content.length} bytes`);
    expect(screen).toContain("produced 100000 records to cli-file");
    const consumed = await runnel(["consume", "cli-file", "--exit"]);
    expect(consumed.status).toBe(0);
    expect(consumed.stdout.equals(content)).toBe(true);
    const offsets = json(await runnel(["offsets", "cli-file", "--json"]));
    expect(offsets).toEqual([{ partition: 0, earliest: 0, latest: 100_000 }]);
  });

  it("produces from a pipe with keys, headers and a partition; formats as kcat does; reads as a group", async () => {
    expect((await runnel(["topics", "create", "cli-keys", "-p", "3"])).status).toBe(0);
    const produced = await runnel(["produce", "cli-keys", "-K", "::", "-H", "src=cli", "-H", "n=1", "-p", "2", "--json"], "a::one\nb::two\nno key\n");
    expect(produced.status).toBe(0);
    expect(json(produced)).toEqual({ topic: "cli-keys", records: 3 });
    const formatted = await runnel(["consume", "cli-keys", "-e", "-p", "2", "-f", "%t/%p/%o [%k] %s %h %K %S\\n"]);
    expect(formatted.stdout.toString()).toBe("cli-keys/2/0 [a] one src=cli,n=1 1 3\ncli-keys/2/1 [b] two src=cli,n=1 1 3\ncli-keys/2/2 [] no key src=cli,n=1 -1 6\n");
    const lines = (await runnel(["consume", "cli-keys", "-e", "--json", "-c", "1"])).stdout.toString().trim().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([{ topic: "cli-keys", partition: 2, offset: 0, key: "a", value: "one", headers: [{ name: "src", value: "cli" }, { name: "n", value: "1" }] }]);
    // As a group: two records, then the rest; the group remembers where it got to.
    const first = await runnel(["consume", "cli-keys", "-g", "cli-g", "-o", "beginning", "-c", "2"]);
    expect(first.stdout.toString()).toBe("one\ntwo\n");
    const rest = await runnel(["consume", "cli-keys", "-g", "cli-g", "--exit"]);
    expect(rest.stdout.toString()).toBe("no key\n");
    const group = json(await runnel(["groups", "describe", "cli-g", "--json"]));
    expect(group.lags.find((l: { partition_id: number }) => l.partition_id === 2)).toMatchObject({ current_offset: 3, lag: 0 });
    expect(json(await runnel(["groups", "list", "--json"])).map((g: { consumer_group_id: string }) => g.consumer_group_id)).toContain("cli-g");
    const reset = await runnel(["groups", "reset-offsets", "cli-g", "--topic", "cli-keys", "--to", "earliest"]);
    expect(reset.status).toBe(0);
    const again = await runnel(["consume", "cli-keys", "-g", "cli-g", "--exit"]);
    expect(again.stdout.toString()).toBe("one\ntwo\nno key\n");
    const fromOffset = await runnel(["consume", "cli-keys", "-p", "2", "-o", "1", "-e"]);
    expect(fromOffset.stdout.toString()).toBe("two\nno key\n");
  });

  it("stops quietly with status 0 when the reader of its output goes away (| head), as kcat does", async () => {
    // 2 MB of records: far more than a pipe holds, so the CLI is still writing when head exits.
    expect((await runnel(["topics", "create", "cli-pipe", "-p", "2"])).status).toBe(0);
    const lines = Array.from({ length: 20_000 }, (_, i) => `${i} ${"x".repeat(100)}`);
    expect((await runnel(["produce", "cli-pipe"], `${lines.join("\n")}\n`)).status).toBe(0);
    for (const [args, take] of [
      [["consume", "cli-pipe", "-e"], 2],
      [["consume", "cli-pipe", "-e", "--json"], 1],
      [["consume", "cli-pipe", "-g", "cli-pipe-g", "-o", "beginning"], 2], // no -e: only the closed pipe ends it
    ] as const) {
      const piped = await throughHead([...args], take);
      expect({ args, status: piped.status, stderr: piped.stderr }).toEqual({ args, status: 0, stderr: "" });
      expect(piped.stdout.split("\n").slice(0, -1), args.join(" ")).toHaveLength(take);
    }
  });

  it("manages keys and ACLs as the admin; a key without rights is refused", async () => {
    const as = (key: string) => ({ RUNNEL_URL: secured.url, RUNNEL_KEY: key });
    const created = await runnel(["keys", "create", "User:carol", "-d", "cli test", "--json"], undefined, as(ADMIN));
    expect(created.status).toBe(0);
    const key = json(created);
    const carol = `${key.key_id}.${key.secret}`;
    expect((await runnel(["topics", "create", "cli-secure"], undefined, as(ADMIN))).status).toBe(0);
    const denied = await runnel(["produce", "cli-secure"], "x\n", as(carol));
    expect(denied.status).toBe(1);
    // A producer first reads the topic's partition count: WRITE implies the DESCRIBE that needs.
    expect(denied.stderr).toMatch(/not authorized: User:carol may not (WRITE|DESCRIBE) TOPIC 'cli-secure'/);
    const acl = ["--resource-type", "TOPIC", "--resource-name", "cli-", "--pattern-type", "PREFIXED", "--principal", "User:carol", "--operation", "WRITE", "--permission", "ALLOW"];
    expect((await runnel(["acls", "create", ...acl], undefined, as(ADMIN))).status).toBe(0);
    expect(json(await runnel(["acls", "list", "--principal", "User:carol", "--json"], undefined, as(ADMIN)))).toHaveLength(1);
    expect((await runnel(["produce", "cli-secure"], "x\n", as(carol))).status).toBe(0);
    const listed = await runnel(["keys", "list"], undefined, as(ADMIN));
    expect(listed.stdout.toString()).toContain(key.key_id);
    expect(listed.stdout.toString()).not.toContain(key.secret);
    expect((await runnel(["keys", "disable", key.key_id], undefined, as(ADMIN))).status).toBe(0);
    const disabled = await runnel(["topics", "list"], undefined, as(carol));
    expect(disabled.status).toBe(1);
    expect(disabled.stderr).toMatch(/error_code 40101 SASL_AUTHENTICATION_FAILED/);
    const removed = json(await runnel(["acls", "delete", "--resource-type", "TOPIC", "--principal", "User:carol", "--json"], undefined, as(ADMIN)));
    expect(removed).toHaveLength(1);
    expect((await runnel(["keys", "delete", key.key_id], undefined, as(ADMIN))).status).toBe(0);
    expect((await runnel(["keys", "list"], undefined, as(carol))).status).toBe(1);
  });
});
