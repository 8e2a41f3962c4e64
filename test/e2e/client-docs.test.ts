// Every js example of docs/client.md, run as users run it (importing
// runnel/client, the package's own build) against the real local server
// (`npm start`). The shared setup is client/harness.ts.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { clientHarness } from "./client/harness";

const server = clientHarness();

describe("docs/client.md", () => {
  it("every js example runs against the server", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const run = promisify(execFile);
    // The examples import runnel/client as users do: the package's own build.
    await run(process.execPath, ["--input-type=module", "-e", "await (await import('./scripts/build-client.mjs')).buildClient()"], { cwd: root });
    const examples = [...readFileSync(join(root, "docs/client.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(5);
    mkdirSync(join(root, ".runnel"), { recursive: true });
    for (const [i, code] of examples.entries()) {
      const file = join(root, ".runnel", `docs-example-${i}.mjs`);
      writeFileSync(file, code);
      try {
        const { stdout } = await run(process.execPath, [file], { cwd: root, env: { ...process.env, RUNNEL_URL: server.url }, timeout: 60_000 });
        expect(stdout.length, `example ${i} printed nothing`).toBeGreaterThan(0);
      } catch (e) {
        throw new Error(`example ${i} of docs/client.md failed: ${(e as { stderr?: string }).stderr ?? e}`);
      } finally {
        rmSync(file, { force: true });
      }
    }
  });
});
