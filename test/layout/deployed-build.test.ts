import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The source files esbuild bundles for `entry` (as scripts/build.mjs bundles the Worker). */
async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

describe("the deployed Worker", () => {
  it("carries no fault-injection code: nothing of src/faults/ is in its bundle", async () => {
    const inputs = await bundledInputs("src/index.ts");
    expect(inputs.some((p) => p.startsWith("src/router/"))).toBe(true); // the check looks at the right bundle
    expect(inputs.filter((p) => p.startsWith("src/faults/"))).toEqual([]);
  });

  it("binds no Faults object, and the development build does bind it (npm start and the tests)", async () => {
    const toml = readFileSync(`${root}wrangler.toml`, "utf8");
    expect(toml).not.toMatch(/name\s*=\s*"FAULTS"/);
    expect(toml).toMatch(/deleted_classes\s*=\s*\["Faults"\]/);
    expect(readFileSync(`${root}vitest.config.mts`, "utf8")).toContain('FAULTS: { className: "Faults"');
    expect(readFileSync(`${root}scripts/server.mjs`, "utf8")).toContain('FAULTS: { className: "Faults"');
    expect((await bundledInputs("src/dev.ts")).filter((p) => p.startsWith("src/faults/")).length).toBeGreaterThan(0);
  });
});
