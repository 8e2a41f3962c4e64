// `npm install` as a newcomer runs it — the machine's npm on the machine's
// Node (the README's Node 20), not the Node 22 the npm scripts put on
// PATH — prints no warning: no EBADENGINE for the packages that declare
// Node 22, and every dependency's install script is reviewed (.npmrc and
// package.json's allowScripts say why). Dry runs without scripts: the
// real install would replace node_modules under the other tests.
import { execFile } from "node:child_process";
import { delimiter } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
// Without node_modules/.bin, `npm` and `node` are the machine's, as in a fresh shell.
const PATH = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => !dir.includes("node_modules"))
  .join(delimiter);

function npm(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("npm", args, { cwd: root, env: { ...process.env, PATH }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === "number" ? error.code : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe("npm install on a fresh clone", () => {
  it("warns about nothing: engines and install scripts", async () => {
    const install = await npm(["ci", "--dry-run", "--ignore-scripts", "--prefer-offline"]);
    expect(install.code, install.out).toBe(0);
    expect(install.out).not.toMatch(/npm (warn|error)/i);
    const scripts = await npm(["install-scripts", "ls"]);
    expect(scripts.code, scripts.out).toBe(0);
    expect(scripts.out.trim()).toBe("No packages with unreviewed install scripts.");
  });
});
