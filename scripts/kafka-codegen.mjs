#!/usr/bin/env node
// Generates the Kafka front door's request and response codecs from Apache
// Kafka's own JSON message definitions
// (clients/src/main/resources/common/message/*.json in apache/kafka).
//
//   node scripts/kafka-codegen.mjs --label "Apache Kafka 3.9.0 and 4.0" \
//     DIR_OLDEST [... DIR_NEWEST]   (default: ../shared/kafka-messages/3.9.0 and 4.0)
//
// Each directory is one Kafka release's message directory, oldest first.
// Kafka 4.0 dropped the versions KIP-896 retired from its files, so a
// message is taken from the newest release for every version that release
// defines and from older releases for the versions below: the fields are
// merged in wire order, each with the versions of the release it came from
// (a check afterwards compares every version's layout with its source's).
// The output, src/gateway/codec/generated/, is committed: one file per
// message (request, response, and the two headers) and index.ts, the table
// of every API by key. Nothing here runs at run time. It also writes
// test/gateway/kafka-schemas.ts, the merged definitions as data for the tests.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emitMessage } from "./kafka-codegen/emit-message.mjs";
import { emitIndex } from "./kafka-codegen/emit-index.mjs";
import { emitSchemas } from "./kafka-codegen/emit-schemas.mjs";
import { checkLayouts, mergeMessages } from "./kafka-codegen/merge.mjs";
import { parseMessage } from "./kafka-codegen/schema.mjs";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
let label = "Apache Kafka 3.9.0 (for the versions KIP-896 removed) and 4.0 (release branch, 2024-12-25)";
const labelAt = args.indexOf("--label");
if (labelAt >= 0) {
  label = args[labelAt + 1];
  args.splice(labelAt, 2);
}
const dirs = args.length > 0 ? args : [join(root, "../shared/kafka-messages/3.9.0"), join(root, "../shared/kafka-messages/4.0")];
const out = join(root, "src/gateway/codec/generated");

/** Every request, response and header message of one release directory, by file name. */
function readRelease(dir) {
  const messages = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const spec = parseMessage(readFileSync(join(dir, file), "utf8"), file);
    if (["request", "response", "header"].includes(spec.type)) messages.set(file, spec);
  }
  return messages;
}

const releases = dirs.map(readRelease);
const names = [...new Set(releases.flatMap((r) => [...r.keys()]))].sort();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const merged = [];
for (const file of names) {
  const versions = releases.map((r) => r.get(file)).filter((m) => m !== undefined);
  const message = mergeMessages(versions);
  checkLayouts(message, versions);
  merged.push(message);
  writeFileSync(join(out, `${message.fileName}.ts`), emitMessage(message, label));
}
writeFileSync(join(out, "index.ts"), emitIndex(merged, label));
// The same definitions as data, for the round-trip tests of every codec.
writeFileSync(join(root, "test/gateway/kafka-schemas.ts"), emitSchemas(merged, label));
console.log(`wrote ${merged.length} messages and index.ts to src/gateway/codec/generated (${label})`);
