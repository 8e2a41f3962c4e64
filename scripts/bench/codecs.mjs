// `node scripts/bench/codecs.mjs`: how fast Runnel's codecs compress and
// decompress 1 MiB of realistic records (a Kafka records section of JSON
// events of about 100 bytes), and how much they shrink it. Measures the
// shipped code: src/record/compression.ts is bundled with esbuild as the
// Worker's bundle is. Node runs the same JavaScript as workerd (V8) and the
// same native zlib/zstd, so the figures carry over.
//
// Options: --ms N (time per measurement, 700) --candidates (also measure
// the libraries docs/compression.md compares, when installed: `npm i
// --no-save snappy-wasm lz4-wasm-nodejs @bokuweb/zstd-wasm hysnappy`)
// --interop (hand our output to zlib, libsnappy, liblz4 and libzstd through
// /usr/bin/python3 scripts/make-codec-fixtures.py verify, which needs
// python3-snappy, python3-lz4 and python3-zstandard).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { root } from "../build.mjs";

const { values: opts } = parseArgs({ options: { ms: { type: "string", default: "700" }, candidates: { type: "boolean" }, interop: { type: "boolean" } } });
const MS = Number(opts.ms);

const dir = mkdtempSync(join(tmpdir(), "runnel-codecs-"));
const bundle = join(dir, "codecs.mjs");
await build({
  stdin: { contents: 'export * from "./src/record/compression"; export { Compression, encodeRecords } from "./src/record/record-batch";', resolveDir: root, loader: "ts" },
  outfile: bundle, bundle: true, format: "esm", platform: "neutral", target: "es2023",
  conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], external: ["node:*"], logLevel: "warning",
});
const { compress, decompress, encodeRecords, Compression } = await import(bundle);
rmSync(dir, { recursive: true });

/** 1 MiB of records: JSON events of about 100 bytes, keyed by user, as a producer would batch them. */
function records() {
  const kinds = ["click", "view", "purchase", "signup", "search"];
  const out = [];
  let bytes = 0;
  for (let i = 0; bytes < 1 << 20; i++) {
    const event = { id: 1_000_000 + i, user: `user-${(i * 7919) % 5000}`, type: kinds[i % 5], page: `/products/${(i * 31) % 997}`, ts: 1_700_000_000_000 + i * 13, amount: ((i * 37) % 10000) / 100 };
    const value = new TextEncoder().encode(JSON.stringify(event));
    out.push({ key: new TextEncoder().encode(event.user), value, headers: [], timestampMs: event.ts });
    bytes += value.length + 20;
  }
  return out;
}

const list = records();
const section = encodeRecords(list, list[0].timestampMs);
const mib = section.length / 2 ** 20;

/** Runs `work` for about MS milliseconds; returns MiB of input per second. */
async function rate(work) {
  await work(); // warm up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < MS) {
    await work();
    n++;
  }
  return (n * mib) / ((performance.now() - start) / 1000);
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function measure(name, pack, unpack) {
  const packed = await pack(section);
  if (!same(await unpack(packed), section)) throw new Error(`${name} does not round-trip`);
  const row = { codec: name, ratio: +(section.length / packed.length).toFixed(2), compress_mib_s: Math.round(await rate(() => pack(section))), decompress_mib_s: Math.round(await rate(() => unpack(packed))) };
  console.log(`${name.padEnd(30)} ratio ${String(row.ratio).padStart(6)}   compress ${String(row.compress_mib_s).padStart(5)} MiB/s   decompress ${String(row.decompress_mib_s).padStart(5)} MiB/s`);
  return row;
}

const LIMIT = 16 << 20;
console.log(`${list.length} records, ${section.length} bytes (${(section.length / list.length).toFixed(0)} bytes a record); ${MS} ms a measurement`);
const rows = [];
for (const [name, codec] of [["gzip", Compression.GZIP], ["snappy", Compression.SNAPPY], ["lz4", Compression.LZ4], ["zstd", Compression.ZSTD]]) {
  rows.push(await measure(`runnel ${name}`, (b) => compress(codec, b), (b) => decompress(codec, b, LIMIT)));
}

if (opts.candidates) rows.push(...(await candidates()));
console.log(JSON.stringify({ records: list.length, section_bytes: section.length, results: rows }));

if (opts.interop) {
  const ours = { plain: Buffer.from(section).toString("base64") };
  for (const [name, codec] of [["gzip", Compression.GZIP], ["snappy", Compression.SNAPPY], ["lz4", Compression.LZ4], ["zstd", Compression.ZSTD]]) {
    ours[name] = Buffer.from(await compress(codec, section)).toString("base64");
  }
  const check = spawnSync("/usr/bin/python3", [join(root, "scripts/make-codec-fixtures.py"), "verify"], { input: JSON.stringify(ours), encoding: "utf8" });
  process.stdout.write(check.stdout + check.stderr);
  if (check.status !== 0) process.exit(1);
}

/** The alternatives docs/compression.md weighs, each skipped when not installed. */
async function candidates() {
  const require = createRequire(join(root, "package.json"));
  const tryLoad = async (name, load) => {
    try {
      return await load(name);
    } catch {
      console.log(`${name}: not installed, skipped`);
      return null;
    }
  };
  const out = [];
  const zlib = await import("node:zlib");
  out.push(await measure("node:zlib zstd one-shot (L3)", (b) => zlib.zstdCompressSync(b), (b) => zlib.zstdDecompressSync(b)));
  const fzstd = require("fzstd");
  out.push(await measure("fzstd (decode only)", (b) => zlib.zstdCompressSync(b), (b) => fzstd.decompress(b)));
  const lz4js = require("lz4js");
  out.push(await measure("lz4js frame (4 MiB linked)", (b) => lz4js.compress(b), (b) => lz4js.decompress(b)));
  const snappy = await tryLoad("snappy-wasm", (n) => Promise.resolve(require(n)));
  if (snappy) out.push(await measure("snappy-wasm (raw)", (b) => snappy.compress_raw(b), (b) => snappy.decompress_raw(b)));
  const hysnappy = await tryLoad("hysnappy", (n) => import(n));
  if (hysnappy) out.push(await measure("hysnappy (raw)", (b) => hysnappy.snappyCompress(b), (b) => hysnappy.snappyUncompress(b, section.length)));
  const lz4wasm = await tryLoad("lz4-wasm-nodejs", (n) => Promise.resolve(require(n)));
  if (lz4wasm) out.push(await measure("lz4-wasm (block)", (b) => lz4wasm.compress(b), (b) => lz4wasm.decompress(b)));
  const zstdWasm = await tryLoad("@bokuweb/zstd-wasm", (n) => Promise.resolve(require(n)));
  if (zstdWasm) {
    await zstdWasm.init();
    out.push(await measure("@bokuweb/zstd-wasm (L3)", (b) => zstdWasm.compress(b, 3), (b) => zstdWasm.decompress(b)));
  }
  return out;
}
