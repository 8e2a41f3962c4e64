// `npm run pack:client [-- --out DIR]`: the TypeScript client (runnel/client,
// with its types) and the `runnel` command line as one npm package
// tarball, for an app outside this clone to install:
//   npm install /path/to/runnel/dist/runnel-0.1.0.tgz
// Built fresh from src/ into a staging directory (the clone's dist/ is left
// alone). Its package.json carries no scripts and only what the client and
// the CLI import at run time — not the Worker's or the console's
// dependencies, nor the clone's dev tools — so installing it runs nothing
// and warns about nothing. Prints the tarball's path.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildCli, buildClient, buildTypes } from "./build-client.mjs";
import { root } from "./build.mjs";

// In Node the client opens WebSockets with `ws`, imported under a name bundlers do not follow (docs/client.md).
const IMPORTED_UNSEEN = ["ws"];

const { values } = parseArgs({ options: { out: { type: "string", default: `${root}dist` } } });
const out = resolve(values.out);
const stage = mkdtempSync(join(tmpdir(), "runnel-pack-"));
try {
  const dist = join(stage, "dist");
  await buildClient(dist);
  buildTypes(dist);
  await buildCli(dist);
  const repo = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  const manifest = {
    name: repo.name,
    version: repo.version,
    description: "The Runnel TypeScript client (runnel/client) and the runnel command line",
    private: true,
    type: "module",
    exports: repo.exports,
    bin: repo.bin,
    files: ["dist"],
    dependencies: runtimeDependencies(repo, readFileSync(join(dist, "cli/runnel.mjs"), "utf8")),
  };
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(stage, "README.md"), readme(repo.version));
  mkdirSync(out, { recursive: true });
  // --ignore-scripts: the manifest has none, and the clone's .npmrc must not apply; npm pack prints the file name last.
  const printed = execFileSync("npm", ["pack", "--ignore-scripts", "--loglevel=error", "--pack-destination", out], { cwd: stage, encoding: "utf8" });
  console.log(join(out, printed.trim().split("\n").at(-1)));
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/**
 * The dependencies the CLI bundle imports (it leaves npm packages as
 * imports; the client bundle has them inside) and `ws`, at the versions
 * the clone pins. Fails if one is not among the clone's dependencies.
 */
function runtimeDependencies(repo, cliBundle) {
  const names = new Set(IMPORTED_UNSEEN);
  for (const [, spec] of cliBundle.matchAll(/\bfrom\s*"([^".][^"]*)"/g)) {
    if (spec.startsWith("node:")) continue;
    names.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
  }
  const dependencies = {};
  for (const name of [...names].sort()) {
    const version = repo.dependencies[name];
    if (version === undefined) throw new Error(`the CLI imports '${name}', which is not among package.json's dependencies`);
    dependencies[name] = version;
  }
  return dependencies;
}

function readme(version) {
  return `# runnel ${version}: the client and the command line

\`import { Runnel } from "runnel/client"\` — the TypeScript client (types
included), for Node 20+, browsers, Deno, Bun and Cloudflare Workers — and
\`npx runnel\`, the command line. Built from a clone of Runnel with
\`npm run pack:client\`; its docs/client.md and docs/cli.md describe both.
`;
}
