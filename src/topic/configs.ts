/**
 * Topic configs: Kafka's names, defaults and validation. The controller
 * stores only overrides; everyone else reads the resolved set.
 */
import { limits } from "../limits";

export interface TopicConfigs {
  /** Records older than this are deleted with their segment; -1 keeps them forever. */
  "retention.ms": number;
  /** Most bytes the log keeps before deleting old segments; -1 for no limit. */
  "retention.bytes": number;
  /** A segment rolls before it would grow past this many bytes. */
  "segment.bytes": number;
  /** A segment rolls once it is this old (milliseconds). */
  "segment.ms": number;
  /** Largest record batch, and so largest record, accepted (bytes). */
  "max.message.bytes": number;
  "min.insync.replicas": number;
  /** What happens to old records: retention deletes them (delete), the log cleaner keeps each key's latest (compact), or both. */
  "cleanup.policy": CleanupPolicy;
  /** How long a tombstone stays after the cleaner first reached it (milliseconds; KIP-534's delete horizon). */
  "delete.retention.ms": number;
  /** The cleaner runs once dirty bytes are more than this share of the cleanable log (0 to 1). */
  "min.cleanable.dirty.ratio": number;
  /** A record stays uncleaned at least this long after its timestamp (milliseconds). */
  "min.compaction.lag.ms": number;
  /** A record is cleaned at most this long after its timestamp, whatever the dirty ratio (milliseconds; `limits.compactionLagMsUnbounded`: never forced). */
  "max.compaction.lag.ms": number;
  /** The codec of batches the Worker encodes (JSON produce); Kafka's batches keep their own. */
  "compression.type": "producer" | "uncompressed" | "gzip" | "snappy" | "lz4" | "zstd";
  "message.timestamp.type": "CreateTime" | "LogAppendTime";
  "unclean.leader.election.enable": boolean;
  /** A follower behind the leader for longer than this leaves the ISR (milliseconds). */
  "replica.lag.time.max.ms": number;
  /** Tiered storage: closed segments are copied to the bucket and read from there once dropped locally. */
  "remote.storage.enable": boolean;
  /** Most bytes kept locally before copied segments are dropped; -2 uses retention.bytes. */
  "local.retention.bytes": number;
  /** How long copied segments are kept locally (milliseconds); -2 uses retention.ms. */
  "local.retention.ms": number;
}

/** `cleanup.policy`, normalised: Kafka's list of compact and delete in any order. */
export type CleanupPolicy = "delete" | "compact" | "compact,delete";

export type ConfigName = keyof TopicConfigs;
export type ConfigOverrides = Partial<Record<ConfigName, string>>;

interface Spec {
  default: string;
  parse(value: string): unknown;
  doc: string;
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new Error("must be an integer");
    const n = Number(value);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}`);
    return n;
  };
}

function oneOf<T extends string>(...choices: T[]) {
  return (value: string): T => {
    if (!(choices as string[]).includes(value)) throw new Error(`must be one of ${choices.join(", ")}`);
    return value as T;
  };
}

/** Kafka's cleanup.policy: a list of "compact" and "delete" (each once, in any order, spaces around them allowed). */
function cleanupPolicy(value: string): CleanupPolicy {
  const items = value.split(",").map((v) => v.trim());
  if (items.some((v) => v !== "compact" && v !== "delete") || new Set(items).size !== items.length) {
    throw new Error("must be delete, compact, or both (compact,delete)");
  }
  return items.length === 2 ? "compact,delete" : (items[0] as "compact" | "delete");
}

/** A decimal between `min` and `max` (both inclusive), as Kafka's DOUBLE configs. */
function decimal(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value)) throw new Error("must be a decimal number");
    const n = Number(value);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}`);
    return n;
  };
}

/** A lag in milliseconds, 1 or more; Kafka's Long.MAX_VALUE (its default, "unbounded") is `limits.compactionLagMsUnbounded`. */
function maxLag(value: string): number {
  return value === "9223372036854775807" ? limits.compactionLagMsUnbounded : integer(1)(value);
}

function boolean(value: string): boolean {
  if (value !== "true" && value !== "false") throw new Error("must be true or false");
  return value === "true";
}

const SPECS: Record<ConfigName, Spec> = {
  "retention.ms": { default: "604800000", parse: integer(-1), doc: "7 days" },
  "retention.bytes": { default: "-1", parse: integer(-1), doc: "no limit" },
  "segment.bytes": { default: "1073741824", parse: integer(14, 2 ** 31 - 1), doc: "1 GiB" },
  "segment.ms": { default: "604800000", parse: integer(1), doc: "7 days" },
  "max.message.bytes": { default: "1048588", parse: integer(0, 2 ** 31 - 1), doc: "Kafka's default" },
  "min.insync.replicas": { default: "1", parse: integer(1, 2 ** 31 - 1), doc: "" },
  "cleanup.policy": { default: "delete", parse: cleanupPolicy, doc: "delete, compact or compact,delete" },
  "delete.retention.ms": { default: "86400000", parse: integer(0), doc: "1 day" },
  "min.cleanable.dirty.ratio": { default: "0.5", parse: decimal(0, 1), doc: "" },
  "min.compaction.lag.ms": { default: "0", parse: integer(0), doc: "" },
  "max.compaction.lag.ms": { default: String(limits.compactionLagMsUnbounded), parse: maxLag, doc: "unbounded" },
  "compression.type": { default: "producer", parse: oneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"), doc: "" },
  "message.timestamp.type": { default: "CreateTime", parse: oneOf("CreateTime", "LogAppendTime"), doc: "" },
  "unclean.leader.election.enable": { default: "false", parse: boolean, doc: "" },
  "replica.lag.time.max.ms": { default: "30000", parse: integer(1), doc: "" },
  "remote.storage.enable": { default: "true", parse: boolean, doc: "tiered storage (docs/storage.md)" },
  "local.retention.bytes": { default: "1073741824", parse: integer(-2), doc: "1 GiB; -2: retention.bytes" },
  "local.retention.ms": { default: "-2", parse: integer(-2), doc: "-2: retention.ms" },
};

/** Every config name, in a stable order. */
export const CONFIG_NAMES = Object.keys(SPECS) as ConfigName[];

/** Whether `name` is a topic config Runnel knows. */
export function isConfigName(name: string): name is ConfigName {
  return Object.hasOwn(SPECS, name);
}

/** Checks one config; returns what is wrong (naming the config) or null. */
export function configProblem(name: string, value: unknown): string | null {
  if (!isConfigName(name)) return `unknown topic config '${name}'`;
  if (typeof value !== "string") return `config '${name}' needs a string value`;
  try {
    SPECS[name].parse(value);
    return null;
  } catch (e) {
    return `invalid value '${value}' for config '${name}': ${(e as Error).message}`;
  }
}

/** The full typed config set: overrides over defaults. Overrides must be valid. */
export function resolveConfigs(overrides: ConfigOverrides): TopicConfigs {
  const out: Record<string, unknown> = {};
  for (const name of CONFIG_NAMES) out[name] = SPECS[name].parse(overrides[name] ?? SPECS[name].default);
  return out as unknown as TopicConfigs;
}

/** Each config with its effective value and whether it is the default. */
export function describeConfigs(overrides: ConfigOverrides): { name: ConfigName; value: string; isDefault: boolean }[] {
  return CONFIG_NAMES.map((name) => ({
    name,
    value: overrides[name] ?? SPECS[name].default,
    isDefault: overrides[name] === undefined,
  }));
}

/** Whether the log cleaner keeps this topic's partitions (cleanup.policy compact or compact,delete). */
export function compacts(configs: TopicConfigs): boolean {
  return configs["cleanup.policy"] !== "delete";
}

/** Whether retention deletes this topic's old segments (cleanup.policy delete or compact,delete). */
export function deletes(configs: TopicConfigs): boolean {
  return configs["cleanup.policy"] !== "compact";
}

/** What is wrong with a set of overrides taken together (Kafka's cross-config check), or null. */
export function configsConflict(overrides: ConfigOverrides): string | null {
  const c = resolveConfigs(overrides);
  if (c["min.compaction.lag.ms"] > c["max.compaction.lag.ms"]) {
    return `min.compaction.lag.ms (${c["min.compaction.lag.ms"]}) may not be more than max.compaction.lag.ms (${c["max.compaction.lag.ms"]})`;
  }
  return null;
}

/** `overrides` with `changes` made: a value sets a config, null returns it to its default. */
export function withChanges(overrides: ConfigOverrides, changes: { name: string; value: string | null }[]): ConfigOverrides {
  const out: ConfigOverrides = { ...overrides };
  for (const c of changes) {
    if (c.value === null) delete out[c.name as ConfigName];
    else out[c.name as ConfigName] = c.value;
  }
  return out;
}
