/** `runnel subscriptions list|describe|create|pause|resume|delete`: push subscriptions (docs/subscriptions.md). */
import type { Command } from "commander";
import { clientOf, collect, type GlobalOptions, intOption, pairs, print, table, UsageError } from "./context";

type Row = Record<string, any>;

interface CreateOptions {
  topic: string[];
  webhook?: string;
  header: string[];
  worker?: string;
  format?: string;
  batchRecords?: string;
  batchBytes?: string;
  maxWaitMs?: string;
  maxRetries?: string;
  retryBackoffMs?: string;
  deadLetterTopic?: string;
  deliveryDelayMs?: string;
  start?: string;
}

export function subscriptionCommands(program: Command, globals: () => GlobalOptions): void {
  const subs = program.command("subscriptions").description("push subscriptions to webhooks and Workers: list, describe, create, pause, resume, delete");

  subs.command("list").description("every subscription and its state").action(async () => {
    const o = globals();
    const rows = await clientOf(o).admin().listSubscriptions();
    print(o, rows, () => table(rows, [["name", (s) => s.name], ["topics", (s) => s.topics], ["target", (s) => targetText(s)], ["state", (s) => s.state]]));
  });

  subs.command("describe <name>").description("a subscription: settings, state, last error, lag per partition").action(async (name: string) => {
    const o = globals();
    const s = await clientOf(o).admin().describeSubscription(name);
    print(o, s, () => described(s));
  });

  subs
    .command("create <name>")
    .description("push the records of topics to a webhook (--webhook) or a bound Worker (--worker)")
    .option("-t, --topic <topic>", "a topic to read (repeatable)", collect, [])
    .option("--webhook <url>", "POST each batch to this http(s) URL, signed")
    .option("-H, --header <name=value>", "with --webhook: a header for every request (repeatable)", collect, [])
    .option("--worker <binding>", "call deliver(batch) on this service binding of Runnel's Worker")
    .option("--format <format>", "binary (default), string or json")
    .option("--batch-records <n>", "most records per batch (default 100)")
    .option("--batch-bytes <n>", "most bytes of records per batch (default 1 MiB)")
    .option("--max-wait-ms <ms>", "how long a batch that is not full waits (default 1000)")
    .option("--max-retries <n>", "retries of a refused batch (default 10)")
    .option("--retry-backoff-ms <ms>", "the first wait before a retry, doubling (default 1000)")
    .option("--dead-letter-topic <topic>", "where batches go after their last attempt (default: none, the partition stalls)")
    .option("--delivery-delay-ms <ms>", "hold records back this long after they were written")
    .option("--start <where>", "earliest or latest (default) for partitions without a committed offset")
    .action(async (name: string, opts: CreateOptions) => {
      const o = globals();
      const made = await clientOf(o).admin().createSubscription(createBody(name, opts));
      print(o, made, () => `${described(made)}${made.signing_secret === undefined ? "" : `\nsigning secret (shown this once): ${made.signing_secret}`}`);
    });

  for (const [command, paused] of [["pause", true], ["resume", false]] as const) {
    subs.command(`${command} <name>`).description(paused ? "stop new batches (one already out is finished)" : "deliver again; stalled partitions are tried afresh").action(async (name: string) => {
      const o = globals();
      const s = await clientOf(o).admin().setSubscriptionPaused(name, paused);
      print(o, s, () => `subscription ${name}: ${s.state}`);
    });
  }

  subs.command("delete <name>").description("delete a subscription (its group's offsets stay)").action(async (name: string) => {
    const o = globals();
    await clientOf(o).admin().deleteSubscription(name);
    print(o, { deleted: name }, () => `deleted subscription ${name}`);
  });
}

/** The create body from the options; a usage error for a missing topic or target. */
function createBody(name: string, opts: CreateOptions): Row {
  if (opts.topic.length === 0) throw new UsageError("name at least one topic with -t");
  if ((opts.webhook === undefined) === (opts.worker === undefined)) throw new UsageError("give one target: --webhook URL or --worker BINDING");
  const target = opts.webhook !== undefined ? { type: "webhook", url: opts.webhook, headers: pairs(opts.header, "a header") } : { type: "worker", service: opts.worker };
  const body: Row = { name, topics: opts.topic, target };
  const numbers: [keyof CreateOptions, string][] = [
    ["batchRecords", "batch_records"], ["batchBytes", "batch_bytes"], ["maxWaitMs", "max_wait_ms"], ["maxRetries", "max_retries"],
    ["retryBackoffMs", "retry_backoff_ms"], ["deliveryDelayMs", "delivery_delay_ms"],
  ];
  for (const [option, field] of numbers) {
    const n = intOption(`--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, opts[option] as string | undefined);
    if (n !== undefined) body[field] = n;
  }
  if (opts.format !== undefined) body.format = opts.format;
  if (opts.deadLetterTopic !== undefined) body.dead_letter_topic = opts.deadLetterTopic;
  if (opts.start !== undefined) body.start = opts.start;
  return body;
}

function targetText(s: Row): string {
  return s.target?.type === "webhook" ? `webhook ${s.target.url}` : `worker ${s.target?.service}`;
}

function described(s: Row): string {
  const e = s.last_error;
  return [
    `subscription ${s.name}: ${s.state}, ${s.topics.join(",")} → ${targetText(s)} (${s.format}, batches of ${s.batch_records}, ${s.max_retries} retries, dead letters: ${s.dead_letter_topic ?? "none"})`,
    e === null ? "last error: none" : `last error: ${e.message} (${e.topic}/${e.partition}${e.offset === null ? "" : ` at offset ${e.offset}`}, ${e.at})`,
    table(s.partitions as Row[], [["topic", (p) => p.topic_name], ["partition", (p) => p.partition_id], ["committed", (p) => p.committed_offset ?? "-"], ["lag", (p) => p.lag ?? "-"], ["state", (p) => p.state]]),
  ].join("\n");
}
