// Bundles the Worker (src/index.ts) into one ES module for workerd, and the
// Kafka front door (src/gateway/gateway.ts) into one for Node.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { buildConsole } from "./build-console.mjs";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const bundlePath = `${root}.runnel/build/index.js`;
export const gatewayPath = `${root}.runnel/build/gateway.mjs`;

/** Builds src/ into .runnel/build/index.js, the console's assets first (scripts/build-console.mjs); returns the bundle's path. */
export async function buildWorker() {
  await buildConsole();
  await build({
    entryPoints: [`${root}src/index.ts`],
    outfile: bundlePath,
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
  return bundlePath;
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
