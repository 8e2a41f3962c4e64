/**
 * `runnel consume <topic>`: records to stdout in a kcat format (default
 * "%s\n", raw bytes) or as JSON lines (--json). Without --group it reads
 * partitions directly (stateless fetches); with --group it is a member of
 * that consumer group over the WebSocket and commits what it wrote.
 * --count stops after that many records, --exit at the end of the log.
 */
import type { Command } from "commander";
import type { Runnel } from "../client/runnel";
import type { ConsumerRecord } from "../client/serde";
import { clientOf, type GlobalOptions, intOption, UsageError } from "./context";
import { compileFormat, jsonLine } from "./format";
import { consumeGroup } from "./consume-group";

export interface ConsumeOptions {
  group?: string;
  from?: string;
  partition?: string;
  count?: string;
  exit?: boolean;
  format: string;
}

/** Where to start: the log's beginning or end, an offset, or a time (epoch ms). */
export type StartAt = { at: "beginning" } | { at: "end" } | { at: "offset"; offset: number } | { at: "time"; timestampMs: number };

export function consumeCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command("consume <topic>")
    .description("write records to stdout")
    .option("-g, --group <group>", "consume as a member of this consumer group (commits as it goes)")
    .option("-o, --from <where>", "beginning, end, an offset, or a time (@epoch-ms or ISO 8601); with --group it applies where the group has no offset (beginning/end) or to every partition (offset/time)")
    .option("-p, --partition <n>", "only this partition (without --group)")
    .option("-c, --count <n>", "stop after this many records")
    .option("-e, --exit", "stop at the end of the log")
    .option("-f, --format <format>", "kcat format: %s value, %k key, %t topic, %p partition, %o offset, %T timestamp, %h headers, %S/%K sizes; \\n \\t escapes", "%s\\n")
    .action(async (topic: string, opts: ConsumeOptions) => consume(globals(), topic, opts));
}

/** Writes records to stdout, waiting for it to drain. */
export class Output {
  private readonly render: (r: ConsumerRecord) => Uint8Array | string;
  written = 0;

  constructor(o: GlobalOptions, format: string, private readonly limit: number) {
    this.render = o.json ? jsonLine : compileFormat(format);
  }

  get full(): boolean {
    return this.written >= this.limit;
  }

  /** Writes as many of `records` as the count allows. */
  async write(records: ConsumerRecord[]): Promise<void> {
    const take = records.slice(0, Math.max(0, this.limit - this.written));
    if (take.length === 0) return;
    this.written += take.length;
    const parts = take.map(this.render);
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  }
}

export function parseFrom(value: string | undefined, fallback: StartAt): StartAt {
  if (value === undefined) return fallback;
  if (value === "beginning") return { at: "beginning" };
  if (value === "end") return { at: "end" };
  if (/^\d+$/.test(value)) return { at: "offset", offset: Number(value) };
  const ms = /^(?:s?@)(\d+)$/.exec(value);
  if (ms !== null) return { at: "time", timestampMs: Number(ms[1]) };
  const parsed = Date.parse(value);
  if (!Number.isNaN(parsed)) return { at: "time", timestampMs: parsed };
  throw new UsageError(`--from must be beginning, end, an offset, @epoch-ms or an ISO 8601 time, got '${value}'`);
}

async function consume(o: GlobalOptions, topic: string, opts: ConsumeOptions): Promise<void> {
  const count = intOption("--count", opts.count) ?? Number.POSITIVE_INFINITY;
  const out = new Output(o, opts.format, count);
  const client = clientOf(o);
  if (opts.group !== undefined) {
    if (opts.partition !== undefined) throw new UsageError("--partition does not go with --group (the group assigns partitions)");
    return consumeGroup(client, topic, opts.group, parseFrom(opts.from, { at: "end" }), opts.exit === true, out);
  }
  const from = parseFrom(opts.from, { at: "beginning" });
  const only = intOption("--partition", opts.partition);
  const offsets = await client.admin().offsets(topic);
  const partitions = only === undefined ? offsets : offsets.filter((p) => p.partition === only);
  if (partitions.length === 0) throw new UsageError(`topic '${topic}' has no partition ${only}`);
  const stop = { now: false };
  await Promise.all(partitions.map(async (p) => readPartition(client, topic, p.partition, await startOffset(client, topic, p, from), opts.exit === true, out, stop)));
}

/** The first offset to read of a partition for `from`. */
export async function startOffset(client: Runnel, topic: string, p: { partition: number; earliest: number; latest: number }, from: StartAt): Promise<number> {
  switch (from.at) {
    case "beginning":
      return p.earliest;
    case "end":
      return p.latest;
    case "offset":
      return Math.min(Math.max(from.offset, p.earliest), p.latest);
    case "time":
      return client.admin().offsetForTime(topic, p.partition, from.timestampMs);
  }
}

async function readPartition(client: Runnel, topic: string, partition: number, offset: number, exit: boolean, out: Output, stop: { now: boolean }): Promise<void> {
  while (!stop.now && !out.full) {
    const fetched = await client.fetch(topic, partition, offset, { format: "binary", timeoutMs: exit ? 0 : 5_000 });
    await out.write(fetched.records);
    offset = fetched.nextOffset;
    if (exit && offset >= fetched.highWatermark) return;
  }
  stop.now = true;
}
