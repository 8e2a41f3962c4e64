// Writes docs/limits.md from src/limits.ts: every limit, its value and its
// doc comment, so the page can never fall behind the code (a test checks
// the committed page is what this prints). `node scripts/limits-doc.mjs`
// prints it; `--write` writes the file.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The page's Markdown, from the source text of src/limits.ts. */
export function limitsDoc(
  source = readFileSync(`${root}src/limits.ts`, "utf8"),
  storage = readFileSync(`${root}src/limits-storage.ts`, "utf8"),
  push = readFileSync(`${root}src/limits-push.ts`, "utf8"),
) {
  // The storage and push limits are spread into `limits` where the lines `...storageLimits,` and `...pushLimits,` stand: listed there.
  const own = source.slice(source.indexOf("export const limits = {"));
  const inner = (text, name) => text.slice(text.indexOf(`export const ${name} = {`)).split("\n").slice(1).join("\n");
  const body = own.replace("  ...storageLimits,", inner(storage, "storageLimits")).replace("  ...pushLimits,", inner(push, "pushLimits"));
  const rows = [];
  let comment = "";
  let previous = "";
  for (const raw of body.split("\n").slice(1)) {
    const line = raw.trim();
    if (line.startsWith("/**") || line.startsWith("*")) {
      comment += ` ${line.replace(/^\/\*\*|\*\/$|^\*\/?/g, "").trim()}`;
      continue;
    }
    const m = /^(\w+):\s*(.+?),$/.exec(line);
    if (m === null) continue;
    const [, name, expr] = m;
    // A limit right after another without a comment of its own shares that one (a min and its max).
    const what = comment.trim() === "" ? previous : comment.trim();
    rows.push({ name, value: show(name, Function(`"use strict"; return (${expr});`)()), what });
    previous = what;
    comment = "";
  }
  const table = rows.map((r) => `| \`${r.name}\` | ${r.value} | ${r.what.replace(/\|/g, "\\|")} |`).join("\n");
  return `# Limits

Every size, count, rate and wait Runnel accepts has a name, with its
unit last (\`…Bytes…\`, \`…Ms…\`, \`…Count…\`). A request past any of them is
refused whole, and nothing of it is applied. The source of truth is
[\`src/limits.ts\`](../src/limits.ts); this page is generated from it
(\`node scripts/limits-doc.mjs --write\`). The Kafka front door's own
limits are in [\`src/gateway/limits.ts\`](../src/gateway/limits.ts).

| limit | value | what it bounds |
|---|---|---|
${table}
`;
}

function show(name, value) {
  if (typeof value !== "number") return String(value);
  if (name === "offsetMax") return "2^53 − 1";
  if (/Bytes/.test(name) && value >= 1024 && value % 1024 === 0) {
    return value >= 1024 * 1024 && value % (1024 * 1024) === 0 ? `${value / 1024 / 1024} MiB` : `${value / 1024} KiB`;
  }
  if (/Ms/.test(name) && value >= 1000) {
    const s = value / 1000;
    if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
    if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
    return `${s} s`;
  }
  return value.toLocaleString("en-US");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = limitsDoc();
  if (process.argv.includes("--write")) writeFileSync(`${root}docs/limits.md`, doc);
  else process.stdout.write(doc);
}
