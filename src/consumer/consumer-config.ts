/**
 * The body of `POST /consumers/{g}`: the instance's name and its
 * consumer settings, as Confluent's REST Proxy takes them. Any invalid
 * setting is a 42204 naming it (Confluent's "invalid consumer
 * configuration"); settings Runnel does not know are ignored, as the
 * proxy ignores them.
 */
import * as v from "valibot";
import { ErrorCode, RunnelError } from "../errors";
import { checkInput } from "../input";
import { limits } from "../limits";
import { ASSIGNORS, type Assignor } from "../group/assignors";
import type { MemberConfig } from "../group/types";

export interface ConsumerCreate {
  /** The instance id asked for (`name`, or v1's `id`); absent: one is made up. */
  name?: string;
  assignor?: Assignor;
  config: MemberConfig;
}

const NAME = "must be 1 to 255 letters, digits, '.', '_' or '-'";
const FORMAT = (issue: { input: unknown }) => `must be binary, json or string, got '${String(issue.input).slice(0, 64)}' (Runnel has no schema registry)`;
const RESET = (issue: { input: unknown }) => `must be earliest or latest (or smallest or largest), got '${String(issue.input).slice(0, 64)}'`;

/** An integer setting from `min` to `max` (both inclusive), given as a number or a decimal string. */
function intSetting(min: number, max: number) {
  const message = (issue: { input: unknown }) => `must be an integer from ${min} to ${max}, got ${JSON.stringify(issue.input).slice(0, 64)}`;
  return v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?\d{1,16}$/, message), v.transform(Number))], message),
    v.safeInteger(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

/**
 * A create body's settings (others are ignored). Defaults: format binary,
 * auto.offset.reset latest (Kafka's old names smallest and largest are
 * taken for the two ends), auto.commit.enable true (a string or a JSON
 * boolean), session.timeout.ms `sessionTimeoutMsDefault`,
 * partition.assignment.strategy the group's (range, set by its first
 * member). `fetch.min.bytes` is checked and otherwise ignored: a records
 * request answers as soon as records are there.
 */
const Settings = v.object({
  name: v.optional(v.pipe(v.string(NAME), v.regex(/^[\w.-]{1,255}$/, NAME))),
  format: v.nullish(v.pipe(v.string(FORMAT), v.toLowerCase(), v.picklist(["binary", "json", "string"], FORMAT)), "binary"),
  "auto.offset.reset": v.nullish(
    v.pipe(v.picklist(["earliest", "latest", "smallest", "largest"], RESET), v.transform((r) => (r === "smallest" ? "earliest" : r === "largest" ? "latest" : r))),
    "latest",
  ),
  "auto.commit.enable": v.nullish(v.union([v.boolean(), v.picklist(["true", "false"])], "must be true or false"), true),
  "session.timeout.ms": v.optional(intSetting(limits.sessionTimeoutMsMin, limits.sessionTimeoutMsMax), limits.sessionTimeoutMsDefault),
  "consumer.request.timeout.ms": v.optional(intSetting(0, limits.fetchWaitMsMax)),
  "fetch.min.bytes": v.optional(intSetting(0, limits.fetchBytesMax)),
  "partition.assignment.strategy": v.optional(v.picklist(ASSIGNORS, `must be one of ${ASSIGNORS.join(", ")}`)),
});

function createOf(b: v.InferOutput<typeof Settings>): ConsumerCreate {
  const config: MemberConfig = {
    format: b.format,
    autoOffsetReset: b["auto.offset.reset"],
    autoCommit: b["auto.commit.enable"] === true || b["auto.commit.enable"] === "true",
    sessionTimeoutMs: b["session.timeout.ms"],
  };
  if (b["consumer.request.timeout.ms"] !== undefined) config.requestTimeoutMs = b["consumer.request.timeout.ms"];
  return {
    ...(b.name === undefined ? {} : { name: b.name }),
    ...(b["partition.assignment.strategy"] === undefined ? {} : { assignor: b["partition.assignment.strategy"] }),
    config,
  };
}

/** A create body: the v1 `id` stands for `name` when there is none. */
const CreateBody = v.pipe(
  v.looseObject({}),
  v.transform((b) => ({ ...b, name: b.name ?? b.id }) as v.InferInput<typeof Settings>), // v1 named the instance `id`; checked next
  Settings,
  v.transform(createOf),
);

/** Parses a create body (see `CreateBody`); any invalid setting is a 42204 naming it. */
export function consumerCreateOf(body: Record<string, unknown>): ConsumerCreate {
  const checked = checkInput(CreateBody, body);
  if (!checked.ok) throw new RunnelError(ErrorCode.INVALID_CONSUMER_CONFIG, `invalid consumer configuration: ${checked.message}`);
  return checked.value;
}
