// Bundles the Worker (src/index.ts) into one ES module for workerd.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const bundlePath = `${root}.runnel/build/index.js`;

/** Builds src/ into .runnel/build/index.js; returns the bundle's path. */
export async function buildWorker() {
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
