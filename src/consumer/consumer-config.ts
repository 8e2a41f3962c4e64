/**
 * The body of `POST /consumers/{g}`: the instance's name and its
 * consumer settings, as Confluent's REST Proxy takes them. Any invalid
 * setting is a 42204 naming it (Confluent's "invalid consumer
 * configuration"); settings Runnel does not know are ignored, as the
 * proxy ignores them.
 */
import { ErrorCode, RunnelError } from "../errors";
import type { RecordFormat } from "../fetch/format";
import { limits } from "../limits";
import { ASSIGNORS, type Assignor } from "../group/assignors";
import type { MemberConfig } from "../group/types";

export interface ConsumerCreate {
  /** The instance id asked for (`name`, or v1's `id`); absent: one is made up. */
  name?: string;
  assignor?: Assignor;
  config: MemberConfig;
}

/** Kafka's old names for the two ends, still sent by old clients. */
const RESET_ALIASES = new Map<string, "earliest" | "latest">([
  ["earliest", "earliest"],
  ["latest", "latest"],
  ["smallest", "earliest"],
  ["largest", "latest"],
]);

/**
 * Parses a create body. Defaults: format binary, auto.offset.reset
 * latest, auto.commit.enable true, session.timeout.ms
 * `sessionTimeoutMsDefault`, partition.assignment.strategy range (the
 * group's, set by its first member). `fetch.min.bytes` is checked and
 * otherwise ignored: a records request answers as soon as records are there.
 */
export function consumerCreateOf(body: Record<string, unknown>): ConsumerCreate {
  const name = body.name ?? body.id;
  if (name !== undefined && (typeof name !== "string" || !/^[\w.-]{1,255}$/.test(name))) {
    throw invalid("name must be 1 to 255 letters, digits, '.', '_' or '-'");
  }
  const format = String(body.format ?? "binary").toLowerCase();
  if (format !== "binary" && format !== "json" && format !== "string") {
    throw invalid(`format must be binary, json or string, got '${String(body.format)}' (Runnel has no schema registry)`);
  }
  const reset = RESET_ALIASES.get(String(body["auto.offset.reset"] ?? "latest"));
  if (reset === undefined) throw invalid(`auto.offset.reset must be earliest or latest (or smallest or largest), got '${String(body["auto.offset.reset"])}'`);
  const autoCommit = String(body["auto.commit.enable"] ?? "true");
  if (autoCommit !== "true" && autoCommit !== "false") throw invalid("auto.commit.enable must be true or false");
  const sessionTimeoutMs = intSetting(body, "session.timeout.ms", limits.sessionTimeoutMsMin, limits.sessionTimeoutMsMax) ?? limits.sessionTimeoutMsDefault;
  const requestTimeoutMs = intSetting(body, "consumer.request.timeout.ms", 0, limits.fetchWaitMsMax);
  intSetting(body, "fetch.min.bytes", 0, limits.fetchBytesMax);
  const strategy = body["partition.assignment.strategy"];
  if (strategy !== undefined && !ASSIGNORS.includes(strategy as Assignor)) throw invalid(`partition.assignment.strategy must be one of ${ASSIGNORS.join(", ")}`);
  const config: MemberConfig = { format: format as RecordFormat, autoOffsetReset: reset, autoCommit: autoCommit === "true", sessionTimeoutMs };
  if (requestTimeoutMs !== undefined) config.requestTimeoutMs = requestTimeoutMs;
  return {
    ...(name === undefined ? {} : { name: name as string }),
    ...(strategy === undefined ? {} : { assignor: strategy as Assignor }),
    config,
  };
}

/** An integer setting from `min` to `max` (both inclusive), given as a number or a decimal string; undefined when absent. */
function intSetting(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const raw = body[key];
  if (raw === undefined) return undefined;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function invalid(message: string): RunnelError {
  return new RunnelError(ErrorCode.INVALID_CONSUMER_CONFIG, `invalid consumer configuration: ${message}`);
}
