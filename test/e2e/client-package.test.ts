// The client as an app outside the clone gets it (README, docs/client.md):
// `npm run pack:client` makes a tarball, a fresh app directory installs it
// with the machine's npm and Node, and there the README's client snippet
// and a producer run against the real server, as does `npx runnel`.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-package-"));
const app = join(dir, "app");
let server: RunningServer;

// Without node_modules/.bin: the machine's npm and Node, as in the app's own shell.
const PATH = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((d) => !d.includes("node_modules"))
  .join(delimiter);

beforeAll(async () => {
  server = await startServer(await freePort(), join(dir, "state"));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr }),
    );
  });
}

/** The README's client snippet (the first js block after "## Try it"), pointed at `url`. */
function readmeSnippet(url: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Try it"));
  const start = section.indexOf("```js\n") + "```js\n".length;
  return section.slice(start, section.indexOf("\n```", start)).replaceAll("http://127.0.0.1:8787", url);
}

const PRODUCER = `import { Runnel } from "runnel/client";

const runnel = new Runnel({ url: process.env.RUNNEL_URL });
await runnel.admin().createTopic("orders", { partitions: 3 });
const producer = runnel.producer();
console.log(JSON.stringify(await producer.send("orders", [1, 2, 3, 4, 5].map((n) => ({ value: { n } })))));
await producer.close();
`;

describe("an app outside the clone", () => {
  it("installs the packed client quietly, then produces and consumes with it, and runs npx runnel", async () => {
    const packed = await run(process.execPath, ["scripts/pack-client.mjs", "--out", join(dir, "pack")], root);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = packed.stdout.trim();
    expect(tarball).toMatch(/runnel-\d+\.\d+\.\d+\.tgz$/);

    mkdirSync(app);
    writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "my-app", private: true, type: "module" })}\n`);
    const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app, { PATH });
    expect(installed.code, installed.stderr).toBe(0);
    expect(`${installed.stdout}${installed.stderr}`).not.toMatch(/warn|error/i);

    const env = { PATH, RUNNEL_URL: server.url, RUNNEL_KEY: "" };
    writeFileSync(join(app, "produce.js"), PRODUCER);
    const produced = await run("node", ["produce.js"], app, env);
    expect(produced.code, produced.stderr).toBe(0);
    expect(JSON.parse(produced.stdout)).toHaveLength(5);

    writeFileSync(join(app, "consume.js"), readmeSnippet(server.url));
    const consumed = await run("node", ["consume.js"], app, env);
    expect(consumed.code, consumed.stderr).toBe(0);
    // Keyless, the five went to one partition (which one, the sticky partitioner picked).
    expect(consumed.stdout.trim().split("\n"), consumed.stdout).toEqual([1, 2, 3].map((n) => expect.stringMatching(new RegExp(`^\\d ${n - 1} \\{"n":${n}\\}$`))));

    const cli = await run("npx", ["runnel", "consume", "orders", "-e", "-f", "%o %s\\n"], app, env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(["0 {\"n\":1}", "1 {\"n\":2}", "2 {\"n\":3}", "3 {\"n\":4}", "4 {\"n\":5}", ""].join("\n"));
  });
});
