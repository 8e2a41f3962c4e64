/**
 * `runnel produce <topic>`: one record per line of stdin or `--file`,
 * byte for byte (the newline is not part of the record), through the
 * client's producer. With `--key-delimiter` the text before its first
 * occurrence is the key. A progress bar shows on a terminal when reading
 * a file. `--expected-offset` sends every line as one conditional append
 * (all or nothing, at that offset); `--fencing-token` makes each request
 * carry the writer's token. `runnel fence` sets a partition's token.
 */
import { createReadStream, statSync } from "node:fs";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import type { ProducerRecord, RecordMetadata } from "../client/producer";
import { clientOf, collect, type GlobalOptions, intOption, pairs, print, UsageError } from "./context";
import { indexOf, lines } from "./lines";

/** Records per send call, and send calls awaited at most at once (the producer batches across them). */
const RECORDS_PER_SEND = 1_000;
const SENDS_IN_FLIGHT = 64;

interface ProduceOptions {
  file?: string;
  keyDelimiter?: string;
  partition?: string;
  header: string[];
  acks: string;
  compression?: string;
  expectedOffset?: string;
  fencingToken?: string;
}

export function produceCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command("produce <topic>")
    .description("produce each line of stdin (or --file) as a record")
    .option("-f, --file <path>", "read lines from this file instead of stdin")
    .option("-K, --key-delimiter <text>", "split each line at the first occurrence: key before, value after")
    .option("-p, --partition <n>", "write every record to this partition (default: by key, else spread)")
    .option("-H, --header <name=value>", "a header on every record (repeatable)", collect, [])
    .option("--acks <acks>", "0, 1 or all", "all")
    .option("-z, --compression <codec>", "none, gzip, snappy, lz4 or zstd", "none")
    .option("--expected-offset <n>", "append all lines as one request, only if the partition's log end offset is n")
    .option("--fencing-token <token>", "send this fencing token: refused once another writer fenced the partition")
    .action(async (topic: string, opts: ProduceOptions) => produce(globals(), topic, opts));
  program
    .command("fence <topic> <partition> <token>")
    .description("set a partition's fencing token: writers with another token are refused from now on")
    .action(async (topic: string, partition: string, token: string) => {
      const o = globals();
      const done = await clientOf(o).admin().fence(topic, intOption("<partition>", partition)!, token);
      print(o, done, () => `fenced partition ${partition} of ${topic} with '${done.token}' at offset ${done.offset}`);
    });
}

async function produce(o: GlobalOptions, topic: string, opts: ProduceOptions): Promise<void> {
  const acks = opts.acks === "all" ? "all" : opts.acks === "0" ? 0 : opts.acks === "1" ? 1 : null;
  if (acks === null) throw new UsageError(`--acks must be 0, 1 or all, got '${opts.acks}'`);
  const partition = intOption("--partition", opts.partition);
  const headers = Object.entries(pairs(opts.header, "--header")).map(([name, value]) => ({ name, value }));
  const delimiter = opts.keyDelimiter === undefined ? null : new TextEncoder().encode(opts.keyDelimiter);
  const expectedOffset = intOption("--expected-offset", opts.expectedOffset);
  const perSend = expectedOffset === undefined ? RECORDS_PER_SEND : Number.POSITIVE_INFINITY; // conditional: one request
  const token = opts.fencingToken === undefined ? {} : { fencingToken: opts.fencingToken };
  const producer = clientOf(o).producer({ acks, compression: opts.compression as "none", ...token });
  const input = opts.file === undefined ? process.stdin : createReadStream(opts.file);
  const bar = opts.file !== undefined && process.stderr.isTTY && !o.json ? new SingleBar({ format: "{bar} {percentage}% | {value}/{total} bytes | {records} records", stream: process.stderr }) : null;
  bar?.start(statSync(opts.file!).size, 0, { records: 0 });

  const inFlight: Promise<RecordMetadata[]>[] = [];
  let records = 0;
  let batch: ProducerRecord[] = [];
  let batchBytes = 0;
  const send = async () => {
    const sent = batch.length;
    const bytes = batchBytes;
    const done = producer.send(topic, batch, expectedOffset === undefined ? {} : { expectedOffset });
    done.then(
      () => {
        records += sent;
        bar?.increment(bytes, { records });
      },
      () => {},
    );
    inFlight.push(done);
    batch = [];
    batchBytes = 0;
    if (inFlight.length >= SENDS_IN_FLIGHT) await inFlight.shift();
  };
  try {
    for await (const { line, bytes } of lines(input as AsyncIterable<Uint8Array>)) {
      const at = delimiter === null ? -1 : indexOf(line, delimiter);
      batch.push({
        key: at < 0 ? null : line.subarray(0, at),
        value: at < 0 ? line : line.subarray(at + delimiter!.length),
        ...(partition === undefined ? {} : { partition }),
        ...(headers.length === 0 ? {} : { headers }),
      });
      batchBytes += bytes;
      if (batch.length >= perSend) await send();
    }
    if (batch.length > 0) await send();
    await Promise.all(inFlight);
    await producer.close();
  } finally {
    bar?.stop();
  }
  if (o.json) print(o, { topic, records }, () => "");
  else process.stderr.write(`produced ${records} records to ${topic}\n`);
}
