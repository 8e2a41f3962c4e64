// Push subscriptions against the real server (`npm start`): the README's
// two commands reach the example consumer Worker's deliver().
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";
import { waitFor } from "./wait-for";

const root = new URL("../..", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "runnel-push-readme-"));
let server: RunningServer | null = null;

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
    const port = await freePort();
    server = await startServer(port, dir);
    const C = `${server.url}/v3/clusters/runnel-local`;
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
