// Push subscriptions against the real server (`npm start`): the README's
// two commands reach the example consumer Worker's deliver(); the CLI's
// `runnel subscriptions …`.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";
import { waitFor } from "./wait-for";

const root = new URL("../..", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "runnel-push-readme-"));
let server: RunningServer | null = null;

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  // The bin as `npm install` builds it.
  await promisify(execFile)(process.execPath, ["scripts/build-client.mjs"], { cwd: fileURLToPath(root) });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The shell block of the README's "Push subscriptions and Workers" section. */
function readmeCommands(): string {
  const readme = readFileSync(new URL("README.md", root), "utf8");
  const section = readme.slice(readme.indexOf("## Push subscriptions and Workers"));
  const start = section.indexOf("```sh\n") + "```sh\n".length;
  return section.slice(start, section.indexOf("\n```", start));
}

describe("the README's push subscription", () => {
  it("delivers a record produced over HTTP to the example Worker's deliver() in two commands", async () => {
    const C = `${server!.url}/v3/clusters/runnel-local`;
    const created = await fetch(`${C}/topics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic_name: "orders", partitions_count: 3 }) });
    expect(created.status).toBe(201);
    const out = await new Promise<string>((resolve) => {
      execFile("bash", ["-c", `C=${C}\n${readmeCommands()}`], { timeout: 60_000 }, (_e, stdout, stderr) => resolve(`${stdout}${stderr}`));
    });
    expect(out).toContain('"name":"orders-to-worker"');
    const line = await waitFor("the deliver() log line", async () => /\[consumer-worker\] orders-to-worker: orders\/\d offset 0 key="customer-7" value=\{"total":7\}/.exec(server!.output()));
    expect(line).not.toBeNull();
  });
});

/** Runs the CLI (`npx runnel …` as built) against the server: its exit status, stdout and stderr. */
function runnel(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, RUNNEL_URL: server!.url, RUNNEL_KEY: "" };
    execFile(process.execPath, [fileURLToPath(new URL("dist/cli/runnel.mjs", root)), ...args], { env, timeout: 60_000 }, (e, stdout, stderr) => {
      resolve({ status: typeof e?.code === "number" ? e.code : 0, stdout, stderr });
    });
  });
}

describe("runnel subscriptions", () => {
  it("creates, lists, describes, pauses, resumes and deletes a subscription", async () => {
    const C = `${server!.url}/v3/clusters/runnel-local`;
    await fetch(`${C}/topics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic_name: "cli-subs", partitions_count: 2 }) });
    const made = await runnel("subscriptions", "create", "cli-sub", "-t", "cli-subs", "--worker", "CONSUMER", "--format", "json", "--max-retries", "3", "--json");
    expect(made.status, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ name: "cli-sub", topics: ["cli-subs"], target: { type: "worker", service: "CONSUMER" }, format: "json", max_retries: 3 });
    expect(JSON.parse((await runnel("subscriptions", "list", "--json")).stdout).map((s: { name: string }) => s.name)).toContain("cli-sub");
    const described = await runnel("subscriptions", "describe", "cli-sub");
    expect(described.stdout).toContain("subscription cli-sub: active, cli-subs → worker CONSUMER");
    expect(described.stdout).toContain("last error: none");
    expect((await runnel("subscriptions", "pause", "cli-sub")).stdout).toBe("subscription cli-sub: paused\n");
    expect((await runnel("subscriptions", "resume", "cli-sub")).stdout).toBe("subscription cli-sub: active\n");
    expect((await runnel("subscriptions", "delete", "cli-sub")).stdout).toBe("deleted subscription cli-sub\n");
    const gone = await runnel("subscriptions", "describe", "cli-sub");
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^runnel: subscription 'cli-sub' not found \(error_code 40407, request /);
  });

  it("refuses a create without a topic or with two targets as a usage error (status 2)", async () => {
    expect((await runnel("subscriptions", "create", "x", "--worker", "CONSUMER")).stderr).toBe("runnel: name at least one topic with -t\n");
    const two = await runnel("subscriptions", "create", "x", "-t", "cli-subs", "--worker", "CONSUMER", "--webhook", "http://example.test/");
    expect(two).toMatchObject({ status: 2, stderr: "runnel: give one target: --webhook URL or --worker BINDING\n" });
  });
});
