// The README's walk-through ("Try it") runs top to bottom as written, on a
// fresh server: its shell block is run by bash against `npm start` (on free
// ports), and what it prints is checked.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

const root = new URL("../..", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "runnel-readme-"));
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The first ```{lang} block after the "## Try it" heading. */
function walkThrough(lang: "sh" | "js"): string {
  const readme = readFileSync(new URL("README.md", root), "utf8");
  const section = readme.slice(readme.indexOf("## Try it"));
  const start = section.indexOf(`\`\`\`${lang}\n`) + `\`\`\`${lang}\n`.length;
  return section.slice(start, section.indexOf("\n```", start));
}

/**
 * What the walk-through says its commands print: each `# → …` line (with
 * the `#    …` lines continuing it) as a pattern for one whole line of
 * output, where "…" stands for what differs from run to run (timestamps,
 * the sticky partitioner's pick) and nothing else may differ.
 */
function shownAnswers(script: string): RegExp[] {
  const lines = script.split("\n");
  const answers: RegExp[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith("# → ")) return;
    let text = line.slice("# → ".length);
    for (let j = i + 1; lines[j]?.startsWith("#    ") === true; j++) text += lines[j]!.slice("#    ".length);
    const pattern = text
      .trim()
      .split("…")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*?");
    answers.push(new RegExp(`^[ \\t]*${pattern}[ \\t]*$`, "m"));
  });
  return answers;
}

function bash(script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    // A fresh npm cache, as a newcomer's: `npx runnel` installs the clone into it.
    const env = { ...process.env, npm_config_cache: join(dir, "npm-cache") };
    execFile("bash", ["-c", script], { cwd: root, env, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === "number" ? error.code : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe("the README's walk-through", () => {
  it("runs top to bottom on a fresh server, as written", async () => {
    const [port, kafkaPort] = [await freePort(), await freePort()];
    server = await startServer(port, dir, kafkaPort);
    const script = walkThrough("sh").replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`).replaceAll("127.0.0.1:9092", `127.0.0.1:${kafkaPort}`);
    const { out } = await bash(`export RUNNEL_URL=http://127.0.0.1:${port}\n${script}`);
    // Every answer is a success but the one refusal the walk-through shows on purpose.
    const errors = [...out.matchAll(/"error_code":(\d+)/g)].map((m) => Number(m[1])).filter((c) => c !== 200);
    expect(errors, out).toEqual([41601]);
    expect(out).toContain('"topic_name":"orders","partition_id":1,"offset":0');
    expect(out).toMatch(/"key":"customer-42","value":\{"total":42\}/);
    expect(out).toMatch(/"earliest_offset":0,"latest_offset":\d+/);
    expect(out).toContain('"instance_id":"worker-1"');
    expect(out).toMatch(/\[\{"topic":"orders"/); // the instance's first records
    expect(out).toMatch(/"total_lag":\d+/);
    expect(out).toContain("event: records");
    expect(out).toMatch(/topic "orders" with 3 partitions/); // kcat -L
    // Every answer the walk-through shows is printed as shown: the CLI's and kcat's lines exactly, every run.
    const answers = shownAnswers(script);
    expect(answers.length).toBeGreaterThanOrEqual(6);
    for (const answer of answers) expect(out, `${answer}`).toMatch(answer);
    // And nothing beside them: kcat's one record (%p:%o …) and the CLI's last line (%p %k %s) are all they print.
    expect(out.match(/^\d+:\d+ .*$/gm)).toEqual(['1:0 "customer-42" {"total":42}']);
    expect(out.match(/^\d k\d .*$/gm)).toEqual(["0 k2 world"]);
    expect(out).not.toMatch(/command not found|Usage:|No such file/);

    // Then the WebSocket consumer in JavaScript, as a file of the project would run it.
    const js = walkThrough("js").replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`);
    const node = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, ["--input-type=module", "-e", js], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : 0, out: `${stdout}${stderr}` }),
      );
    });
    expect(node.code, node.out).toBe(0);
    expect(node.out.trim().split("\n").length, node.out).toBeGreaterThanOrEqual(3);
  });
});
