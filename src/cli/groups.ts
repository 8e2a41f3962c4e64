/** `runnel groups list|describe|reset-offsets`. */
import type { Command } from "commander";
import type { OffsetReset } from "../client/admin";
import { clientOf, collect, type GlobalOptions, intOption, print, table, UsageError } from "./context";

export function groupCommands(program: Command, globals: () => GlobalOptions): void {
  const groups = program.command("groups").description("consumer groups: list, describe with lags, reset offsets");

  groups.command("list").description("every consumer group").action(async () => {
    const o = globals();
    const rows = await clientOf(o).admin().listGroups();
    print(o, rows, () => table(rows, [["group", (g) => g.consumer_group_id], ["state", (g) => g.state], ["assignor", (g) => g.partition_assignor]]));
  });

  groups.command("describe <group>").description("a group's state, members and lag per partition").action(async (group: string) => {
    const o = globals();
    const admin = clientOf(o).admin();
    const [described, members, lags] = await Promise.all([admin.describeGroup(group), admin.groupMembers(group), admin.lags(group)]);
    print(o, { ...described, consumers: members, lags }, () =>
      [
        `group ${group}: ${described.state}, ${members.length} member(s)`,
        table(lags, [
          ["topic", (l) => l.topic_name],
          ["partition", (l) => l.partition_id],
          ["committed", (l) => l.current_offset ?? "-"],
          ["high watermark", (l) => l.log_end_offset],
          ["lag", (l) => l.lag],
          ["member", (l) => l.consumer_id],
        ]),
      ].join("\n"),
    );
  });

  groups
    .command("reset-offsets <group>")
    .description("move a group's committed offsets (only while it has no live members)")
    .requiredOption("-t, --topic <topic>", "the topic")
    .requiredOption("--to <where>", "earliest, latest, offset or timestamp")
    .option("--offset <n>", "with --to offset")
    .option("--timestamp <ms>", "with --to timestamp: epoch ms or ISO 8601")
    .option("-p, --partition <n>", "only these partitions (repeatable; default all)", collect, [])
    .action(async (group: string, opts: { topic: string; to: string; offset?: string; timestamp?: string; partition: string[] }) => {
      const o = globals();
      if (!["earliest", "latest", "offset", "timestamp"].includes(opts.to)) throw new UsageError(`--to must be earliest, latest, offset or timestamp, got '${opts.to}'`);
      const reset: OffsetReset = { topic: opts.topic, to: opts.to as OffsetReset["to"] };
      if (opts.partition.length > 0) reset.partitions = opts.partition.map((p) => intOption("--partition", p)!);
      if (opts.to === "offset") reset.offset = intOption("--offset", opts.offset) ?? usage("--to offset needs --offset");
      if (opts.to === "timestamp") reset.timestamp = timestampOf(opts.timestamp);
      const result = await clientOf(o).admin().resetOffsets(group, reset);
      const rows = (result.data ?? result.offsets ?? []) as Record<string, unknown>[];
      print(o, result, () => (rows.length === 0 ? `reset offsets of ${group}` : table(rows, [["topic", (r) => r.topic ?? r.topic_name], ["partition", (r) => r.partition ?? r.partition_id], ["offset", (r) => r.offset]])));
    });
}

function timestampOf(value: string | undefined): number {
  if (value === undefined) return usage("--to timestamp needs --timestamp");
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) return usage(`--timestamp must be epoch ms or ISO 8601, got '${value}'`);
  return ms;
}

function usage(message: string): never {
  throw new UsageError(message);
}
