// The short soak (`npm run soak`, docs/soak.md) as part of the suite: a
// minute of producers, consumers and racing conditional appenders against
// the real server while brokers fail and the server is SIGKILLed, then
// the history check. A failure names the seed and the history file, so
// `npm run soak -- --seed N` replays the same plan.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runnel-soak-test-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the soak", () => {
  it("keeps every property through a minute of faults", async () => {
    const seed = process.env.RUNNEL_SOAK_SEED ?? String(Math.floor(Math.random() * 2 ** 32));
    const child = spawn(process.execPath, ["scripts/soak.mjs", "--seed", seed, "--duration-s", "60", "--history", join(dir, "history.jsonl")], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, `seed ${seed}:\n${output}`).toBe(0);
    expect(output).toContain("soak: every property holds");
    expect(output).toMatch(/[1-9]\d* records acknowledged/);
    expect(output).toMatch(/\(1 SIGKILL\)/);
  }, 300_000);
});
