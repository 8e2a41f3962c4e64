/** `runnel topics list|create|describe|alter|delete` and `runnel offsets <topic>`. */
import type { Command } from "commander";
import { clientOf, collect, type GlobalOptions, intOption, pairs, print, table, UsageError } from "./context";

export function topicCommands(program: Command, globals: () => GlobalOptions): void {
  const topics = program.command("topics").description("list, create, describe, alter and delete topics");

  topics.command("list").description("every topic").action(async () => {
    const o = globals();
    const rows = await clientOf(o).admin().listTopics();
    print(o, rows, () => table(rows, [["topic", (r) => r.topic_name], ["partitions", (r) => r.partitions_count], ["replication factor", (r) => r.replication_factor]]));
  });

  topics
    .command("create <topic>")
    .description("create a topic")
    .option("-p, --partitions <n>", "partitions (default 1)")
    .option("-r, --replication-factor <n>", "replicas of each partition (default 1)")
    .option("-c, --config <name=value>", "a topic config (repeatable)", collect, [])
    .action(async (name: string, opts: { partitions?: string; replicationFactor?: string; config: string[] }) => {
      const o = globals();
      const created = await clientOf(o)
        .admin()
        .createTopic(name, { partitions: intOption("--partitions", opts.partitions), replicationFactor: intOption("--replication-factor", opts.replicationFactor), configs: pairs(opts.config, "--config") });
      print(o, created, () => `created topic ${created.topic_name} (${created.partitions_count} partitions, replication factor ${created.replication_factor})`);
    });

  topics.command("describe <topic>").description("a topic: its partitions, offsets, tiered storage, log cleaner and configs").action(async (name: string) => {
    const o = globals();
    const admin = clientOf(o).admin();
    const [topic, partitions, configs] = await Promise.all([admin.describeTopic(name), admin.partitions(name), admin.configs(name)]);
    print(o, { ...topic, partitions, configs }, () =>
      [
        `topic ${topic.topic_name}: ${topic.partitions_count} partitions, replication factor ${topic.replication_factor}`,
        table(partitions, [
          ["partition", (p) => p.partition_id],
          ["leader", (p) => p.leader?.broker_id ?? ""],
          ["replicas", (p) => (p.replicas ?? []).map((r: { broker_id: number }) => r.broker_id)],
          ["isr", (p) => (p.isr ?? []).map((r: { broker_id: number }) => r.broker_id)],
          ["log start", (p) => p.log_start_offset],
          ["high watermark", (p) => p.high_watermark],
          ["log end", (p) => p.log_end_offset],
          ["local start", (p) => p.local_log_start_offset],
          ["local bytes", (p) => p.local_size_bytes],
          ["remote bytes", (p) => p.remote_size_bytes],
          ["remote segments", (p) => p.remote_segments],
          ...cleanerColumns(partitions),
        ]),
        table(configs, [["config", (c) => c.name], ["value", (c) => c.value], ["default", (c) => (c.is_default ? "yes" : "")]]),
      ].join("\n"),
    );
  });

  topics
    .command("alter <topic>")
    .description("raise the partition count and/or change configs")
    .option("-p, --partitions <n>", "the new partition count (only more)")
    .option("-c, --config <name=value>", "set a config (repeatable)", collect, [])
    .option("--delete-config <name>", "back to the default (repeatable)", collect, [])
    .action(async (name: string, opts: { partitions?: string; config: string[]; deleteConfig: string[] }) => {
      const o = globals();
      const admin = clientOf(o).admin();
      const partitions = intOption("--partitions", opts.partitions);
      const changes: Record<string, string | null> = pairs(opts.config, "--config");
      for (const n of opts.deleteConfig) changes[n] = null;
      if (partitions === undefined && Object.keys(changes).length === 0) throw new UsageError("alter needs --partitions, --config or --delete-config");
      if (Object.keys(changes).length > 0) await admin.alterConfigs(name, changes);
      if (partitions !== undefined) await admin.setPartitions(name, partitions);
      const topic = await admin.describeTopic(name);
      print(o, topic, () => `altered topic ${name}: ${topic.partitions_count} partitions`);
    });

  topics.command("delete <topic>").description("delete a topic and its data").action(async (name: string) => {
    const o = globals();
    await clientOf(o).admin().deleteTopic(name);
    print(o, { deleted: name }, () => `deleted topic ${name}`);
  });

  program.command("offsets <topic>").description("each partition's earliest offset and high watermark").action(async (name: string) => {
    const o = globals();
    const rows = await clientOf(o).admin().offsets(name);
    print(o, rows, () => table(rows, [["partition", (r) => r.partition], ["earliest", (r) => r.earliest], ["latest (high watermark)", (r) => r.latest]]));
  });
}

/** A compacted topic's partitions show their leader's log cleaner too; other topics no such columns. */
function cleanerColumns(partitions: any[]): [string, (p: any) => unknown][] {
  if (!partitions.some((p) => p.cleaner)) return [];
  return [
    ["cleaned to", (p) => p.cleaner?.last_cleaned_offset],
    ["dirty ratio", (p) => (p.cleaner ? p.cleaner.dirty_ratio.toFixed(2) : "")],
    ["last cleaned", (p) => (p.cleaner?.last_run ? new Date(p.cleaner.last_run).toISOString() : "never")],
  ];
}
