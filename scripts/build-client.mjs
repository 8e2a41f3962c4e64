// Builds the TypeScript client and the CLI (`npm install` runs this as
// `prepare`): src/client → dist/client/ (plain ESM for any runtime with
// fetch; snappy and lz4 in chunks loaded only when used) with type
// declarations in dist/types/, and src/cli → dist/cli/runnel.mjs (the
// `runnel` bin, for Node). Fails if the client bundle would import a
// Node built-in, which browsers and Workers lack.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";
import { root } from "./build.mjs";

const repoDist = `${root}dist`;

/** Bundles the client for every runtime into `dist` (default: the repo's dist/); returns the chunk files. */
export async function buildClient(dist = repoDist) {
  rmSync(`${dist}/client`, { recursive: true, force: true });
  await build({
    entryPoints: [`${root}src/client/index.ts`],
    outdir: `${dist}/client`,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["browser", "import"],
    sourcemap: "linked",
    logLevel: "warning",
  });
  const files = readdirSync(`${dist}/client`).filter((f) => f.endsWith(".js"));
  for (const f of files) {
    const text = readFileSync(`${dist}/client/${f}`, "utf8");
    const bad = /\bfrom\s*["']node:|\brequire\(\s*["'](node:|[a-z])/.exec(text);
    if (bad !== null) throw new Error(`dist/client/${f} imports a Node module (${bad[0]}): the client must run in browsers and Workers`);
  }
  return files;
}

/** Writes the client's type declarations into `dist` (types/client/index.d.ts and what it refers to). */
export function buildTypes(dist = repoDist) {
  rmSync(`${dist}/types`, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", `${root}src/client/tsconfig.json`, "--outDir", `${dist}/types`], { stdio: "inherit" });
}

/** Bundles the CLI into `dist` (the client inside it; npm dependencies stay imports). */
export async function buildCli(dist = repoDist) {
  await build({
    entryPoints: [`${root}src/cli/main.ts`],
    outfile: `${dist}/cli/runnel.mjs`,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    banner: { js: "#!/usr/bin/env node" },
    sourcemap: "linked",
    logLevel: "warning",
  });
  // npm links a bin before `prepare` builds it, so the link's target never
  // got its execute bit; `npx runnel` on a fresh clone would be refused.
  chmodSync(`${dist}/cli/runnel.mjs`, 0o755);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildClient();
  buildTypes();
  await buildCli();
}
