/**
 * The console's static assets (script, stylesheet, icon), built by
 * scripts/build-console.mjs into ./generated/assets.ts and bundled into
 * the Worker, so `wrangler deploy` ships them and nothing is fetched from
 * another origin. Names carry a content hash (`app.3f2a9c1b0d4e.js`).
 */
import { CONSOLE_ASSETS } from "./generated/assets";

export interface ConsoleAsset {
  /** The Content-Type to answer with. */
  type: string;
  body: string;
}

/** The asset called `name` (as the page names it), or null. */
export function consoleAsset(name: string): ConsoleAsset | null {
  return Object.hasOwn(CONSOLE_ASSETS, name) ? (CONSOLE_ASSETS[name] ?? null) : null;
}
