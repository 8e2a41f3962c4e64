// `npm run check` step: no source file over `LINES_MAX` lines (functions
// over 70 lines are Biome's noExcessiveLinesPerFunction, in biome.json).
// Small files are how the code stays readable: one role per file.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const LINES_MAX = 300;
const roots = ["src"];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mjs|js)$/.test(name)) yield path;
  }
}

const over = [];
for (const root of roots) {
  for (const path of files(root)) {
    const lines = readFileSync(path, "utf8").split("\n").length - 1;
    if (lines > LINES_MAX) over.push(`${path}: ${lines} lines`);
  }
}
if (over.length > 0) {
  console.error(`files over ${LINES_MAX} lines (split them by role):\n  ${over.join("\n  ")}`);
  process.exit(1);
}
