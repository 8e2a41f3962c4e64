// Bundles the Worker into one ES module for workerd — the deployed build
// (src/index.ts) or the development build with faults on demand
// (src/dev.ts) — and the Kafka front door (src/gateway/gateway.ts) into one
// for Node.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { buildConsole } from "./build-console.mjs";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const bundlePath = `${root}.runnel/build/index.js`;
export const devBundlePath = `${root}.runnel/build/dev.js`;
export const gatewayPath = `${root}.runnel/build/gateway.mjs`;
export const examplePath = `${root}.runnel/build/example-consumer.js`;

/**
 * Builds the Worker, the console's assets first (scripts/build-console.mjs):
 * `development` true builds src/dev.ts into .runnel/build/dev.js (faults
 * on demand), false (the default) the deployed src/index.ts into
 * .runnel/build/index.js. Returns the bundle's path.
 */
export async function buildWorker({ development = false } = {}) {
  await buildConsole();
  await build({
    entryPoints: [`${root}src/${development ? "dev" : "index"}.ts`],
    outfile: development ? devBundlePath : bundlePath,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2023",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    sourcemap: "linked",
    logLevel: "warning",
  });
  return development ? devBundlePath : bundlePath;
}

/** Builds the Kafka front door (a Node program, not part of the Worker) into .runnel/build/gateway.mjs; returns its path. */
export async function buildGateway() {
  await build({
    entryPoints: [`${root}src/gateway/gateway.ts`],
    outfile: gatewayPath,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
  return gatewayPath;
}

/** Builds the example consumer Worker (examples/consumer-worker) into .runnel/build/example-consumer.js; returns its path. */
export async function buildExample() {
  await build({
    entryPoints: [`${root}examples/consumer-worker/src/index.ts`],
    outfile: examplePath,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2023",
    external: ["cloudflare:*"],
    logLevel: "warning",
  });
  return examplePath;
}
