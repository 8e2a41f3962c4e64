/**
 * Topic names, partition counts, replication factors and config lists as
 * clients give them: valibot schemas (checked with src/input.ts), and the
 * one check a topic creation makes.
 */
import * as v from "valibot";
import type { KafkaErrorName } from "../errors";
import { checkInput, inputProblem } from "../input";
import { limits } from "../limits";
import { type ConfigName, type ConfigOverrides, configProblem, configsConflict, isConfigName } from "./configs";
import type { ConfigChange, CreateTopicArgs } from "./types";

/** Kafka's topic-name rule: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
export const TopicName = v.pipe(
  v.string("must be a non-empty string"),
  v.nonEmpty("must be a non-empty string"),
  v.maxLength(limits.topicNameLengthMax, `is longer than ${limits.topicNameLengthMax} characters`),
  v.regex(/^[a-zA-Z0-9._-]+$/, (issue) => `'${issue.input}' may hold only ASCII letters, digits, '.', '_' and '-'`),
  v.check((name) => name !== "." && name !== "..", (issue) => `cannot be '${issue.input}'`),
);

/** An integer message for a range, both bounds inclusive. */
const between = (min: number, max: number) => (issue: { input: number }) => `must be between ${min} and ${max}, got ${issue.input}`;

/** A partition count: 1 to `limits.partitionsCountMax`, both inclusive. */
export const PartitionsCount = v.pipe(
  v.number("must be an integer"),
  v.integer("must be an integer"),
  v.minValue(1, between(1, limits.partitionsCountMax)),
  v.maxValue(limits.partitionsCountMax, between(1, limits.partitionsCountMax)),
);

/** `{"name", "value"}` of a topic config, as creation and the v3 admin bodies give it. */
export const ConfigEntry = v.strictObject({ name: v.string("must be a string"), value: v.nullish(v.string("must be a string or null")) });

/** `[{"name","value"}]` (absent or null: none) as overrides: every name a known config, every value valid for it, none twice. */
export const ConfigList = v.pipe(
  v.nullish(v.array(ConfigEntry, "must be an array of {name, value}"), []),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const out: ConfigOverrides = {};
    for (const { name, value } of dataset.value) {
      const problem = configProblem(name, value) ?? (Object.hasOwn(out, name) ? `config '${name}' is given twice` : null);
      if (problem !== null) {
        addIssue({ message: problem });
        return NEVER;
      }
      out[name as ConfigName] = value as string;
    }
    return out;
  }),
);

/**
 * configs:alter's `[{"name","value"|null,"operation"?}]` (at least one) as
 * changes: a null value or DELETE returns the config to its default.
 */
export const ConfigChanges = v.pipe(
  v.array(
    v.strictObject({ name: v.string("must be a string"), value: v.nullish(v.string("must be a string or null")), operation: v.optional(v.picklist(["SET", "DELETE"], "must be SET or DELETE")) }),
    "must be a non-empty array of {name, value}",
  ),
  v.nonEmpty("must be a non-empty array of {name, value}"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const seen = new Set<string>();
    const out: ConfigChange[] = [];
    for (const { name, value, operation } of dataset.value) {
      const reset = operation === "DELETE" || value === null;
      const problem = seen.has(name) ? `config '${name}' is given twice` : reset ? (isConfigName(name) ? null : `unknown topic config '${name}'`) : configProblem(name, value);
      if (problem !== null) {
        addIssue({ message: problem });
        return NEVER;
      }
      seen.add(name);
      out.push({ name, value: reset ? null : (value as string) });
    }
    return out;
  }),
);

const replicationFactors = new Map<number, v.GenericSchema<number, number>>();

/** A replication factor for `brokersCount` brokers: 1 to that count, both inclusive. One schema per count, built once. */
function replicationFactor(brokersCount: number): v.GenericSchema<number, number> {
  let schema = replicationFactors.get(brokersCount);
  if (schema === undefined) {
    schema = v.pipe(
      v.number("must be an integer"),
      v.maxValue(brokersCount, (issue) => `${issue.input} is larger than the ${brokersCount} available brokers`),
      v.integer("must be an integer"),
      v.minValue(1, between(1, brokersCount)),
    );
    replicationFactors.set(brokersCount, schema);
  }
  return schema;
}

/** A topic creation's fields, checked: the name, counts and configs it would be made with. */
export interface TopicToCreate {
  topicName: string;
  partitionsCount: number;
  replicationFactor: number;
  configs: ConfigOverrides;
}

/** A topic creation checked: its fields, or the first problem with Kafka's name for it (INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG). */
export type CreateChecked = { ok: true; value: TopicToCreate } | { ok: false; message: string; errorName: KafkaErrorName };

/**
 * The one check a topic creation makes (and a dry run): its name, its
 * partition count (1 to `limits.partitionsCountMax`), its replication
 * factor (1 to `brokersCount`) and its configs, in that order. Existence
 * and the topic-count limit are the controller's to check.
 */
export function checkCreateTopic(args: CreateTopicArgs, brokersCount: number): CreateChecked {
  const named = (message: string | null, errorName: KafkaErrorName) => (message === null ? null : { ok: false as const, message, errorName });
  const problem =
    named(inputProblem(TopicName, args.topicName, "topic_name"), "INVALID_TOPIC_EXCEPTION") ??
    named(inputProblem(PartitionsCount, args.partitionsCount, "partitions_count"), "INVALID_PARTITIONS") ??
    named(inputProblem(replicationFactor(brokersCount), args.replicationFactor, "replication_factor"), "INVALID_REPLICATION_FACTOR");
  if (problem !== null) return problem;
  const configs = checkInput(ConfigList, args.configs, "configs");
  if (!configs.ok) return { ...configs, errorName: "INVALID_CONFIG" };
  const conflict = configsConflict(configs.value);
  if (conflict !== null) return { ok: false, message: `configs: ${conflict}`, errorName: "INVALID_CONFIG" };
  return { ok: true, value: { topicName: args.topicName as string, partitionsCount: args.partitionsCount as number, replicationFactor: args.replicationFactor as number, configs: configs.value } };
}
