/** Validation of topic names, counts and config lists. Each returns what is wrong, or null. */
import type { KafkaErrorName } from "../errors";
import { limits } from "../limits";
import { configProblem, isConfigName, type ConfigOverrides } from "./configs";
import type { ConfigChange } from "./types";

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic-name rule: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
export function topicNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "topic_name must be a non-empty string";
  if (name.length > limits.topicNameLengthMax) return `topic_name is longer than ${limits.topicNameLengthMax} characters`;
  if (!TOPIC_NAME.test(name)) return `topic_name '${name}' may hold only ASCII letters, digits, '.', '_' and '-'`;
  if (name === "." || name === "..") return `topic_name cannot be '${name}'`;
  return null;
}

/** An integer field in [min, max], both inclusive. */
export function integerProblem(field: string, value: unknown, min: number, max: number): string | null {
  if (typeof value !== "number" || !Number.isInteger(value)) return `${field} must be an integer`;
  if (value < min || value > max) return `${field} must be between ${min} and ${max}, got ${value}`;
  return null;
}

/** Parses `[{"name","value"}]` into overrides, or says what is wrong. */
export function parseConfigList(list: unknown): ConfigOverrides | string {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) return "configs must be an array of {name, value}";
  const out: Record<string, string> = {};
  for (const entry of list as unknown[]) {
    if (typeof entry !== "object" || entry === null) return "configs must be an array of {name, value}";
    const { name, value } = entry as { name?: unknown; value?: unknown };
    if (typeof name !== "string") return "every config needs a string name";
    const problem = configProblem(name, value);
    if (problem !== null) return problem;
    if (Object.hasOwn(out, name)) return `config '${name}' is given twice`;
    out[name] = value as string;
  }
  return out;
}

/** Parses configs:alter's `[{"name","value"|null,"operation"?}]`, or says what is wrong. */
export function parseConfigChanges(list: unknown): ConfigChange[] | string {
  if (!Array.isArray(list) || list.length === 0) return "data must be a non-empty array of {name, value}";
  const seen = new Set<string>();
  const out: ConfigChange[] = [];
  for (const entry of list as unknown[]) {
    if (typeof entry !== "object" || entry === null) return "data must be an array of {name, value}";
    const { name, value, operation } = entry as { name?: unknown; value?: unknown; operation?: unknown };
    if (typeof name !== "string") return "every config needs a string name";
    if (seen.has(name)) return `config '${name}' is given twice`;
    seen.add(name);
    if (operation !== undefined && operation !== "SET" && operation !== "DELETE") return `operation for '${name}' must be SET or DELETE`;
    const reset = operation === "DELETE" || value === null;
    const problem = reset ? (isConfigName(name) ? null : `unknown topic config '${name}'`) : configProblem(name, value);
    if (problem !== null) return problem;
    out.push({ name, value: reset ? null : (value as string) });
  }
  return out;
}

/** What is wrong with a request, and Kafka's name for it. */
export interface NamedProblem {
  message: string;
  errorName: KafkaErrorName;
}

function named(message: string | null, errorName: KafkaErrorName): NamedProblem | null {
  return message === null ? null : { message, errorName };
}

/**
 * What is wrong with a topic creation's name (INVALID_TOPIC_EXCEPTION),
 * partition count (1 to `limits.partitionsCountMax`; INVALID_PARTITIONS),
 * replication factor (1 to `brokersCount`; INVALID_REPLICATION_FACTOR) or
 * configs (INVALID_CONFIG), or null. Existence and the topic-count limit
 * are the controller's to check.
 */
export function createTopicProblem(args: { topicName: unknown; partitionsCount: unknown; replicationFactor: unknown; configs: unknown }, brokersCount: number): NamedProblem | null {
  const rf = args.replicationFactor;
  const configs = parseConfigList(args.configs);
  return (
    named(topicNameProblem(args.topicName), "INVALID_TOPIC_EXCEPTION") ??
    named(integerProblem("partitions_count", args.partitionsCount, 1, limits.partitionsCountMax), "INVALID_PARTITIONS") ??
    named(typeof rf === "number" && rf > brokersCount ? `replication_factor ${rf} is larger than the ${brokersCount} available brokers` : null, "INVALID_REPLICATION_FACTOR") ??
    named(integerProblem("replication_factor", rf, 1, brokersCount), "INVALID_REPLICATION_FACTOR") ??
    named(typeof configs === "string" ? configs : null, "INVALID_CONFIG")
  );
}
