/**
 * The shapes of v3 admin request bodies (checked with src/input.ts before
 * anything is changed): a field of the wrong type, or one a strict body
 * does not know, is a 400 naming it. Topic values (name rules, counts
 * against the broker count, config values) are checked by the schemas of
 * topic/validate.ts where they are decided; ACLs are access/acl.ts's.
 */
import * as v from "valibot";
import { Principal } from "../access/acl";
import { Timestamp } from "../consumer/consumer-bodies";
import { limits } from "../limits";
import { ConfigChanges, ConfigEntry } from "../topic/validate";

const integer = v.pipe(v.number("must be an integer"), v.integer("must be an integer"));

/** `POST …/topics`: Confluent's CreateTopicRequest (replicas_assignments only when empty). */
export const CreateTopic = v.strictObject({
  topic_name: v.string("must be a string"),
  partitions_count: v.optional(integer),
  replication_factor: v.optional(integer),
  configs: v.optional(v.array(ConfigEntry, "must be an array of {name, value}")),
  replicas_assignments: v.optional(v.record(v.string(), v.pipe(v.array(v.number()), v.length(0, "must be empty: explicit replica placement is not supported")))),
  validate_only: v.optional(v.boolean()),
});

/** `PATCH …/topics/{t}`. */
export const UpdatePartitionCount = v.strictObject({ partitions_count: integer });

/** `POST …/partitions/{p}/records:delete-before`: Kafka's DeleteRecords offset (-1: the high watermark). */
export const DeleteRecordsBefore = v.strictObject({
  offset: v.pipe(v.number("must be an offset (-1: the high watermark)"), v.safeInteger("must be an offset (-1: the high watermark)"), v.minValue(-1, "must be an offset (-1: the high watermark)")),
});

/** `POST …/partitions/{p}/fence` (ext): the token's form is checked by produce-condition.ts's `checkFencingToken`. */
export const SetFence = v.strictObject({ token: v.string("must be a string") });

/** `PUT …/topics/{t}/configs/{name}`: a null value resets to the default. */
export const UpdateConfig = v.strictObject({ value: v.nullable(v.string("must be a string or null")) });

/** `POST …/topics/{t}/configs:alter`: all the changes, or none. */
export const AlterConfigs = v.strictObject({ data: ConfigChanges, validate_only: v.optional(v.boolean()) });

/** `POST …/keys` (other fields are ignored). */
export const CreateKey = v.object({
  principal: Principal,
  description: v.optional(
    v.pipe(
      v.string(`must be a string of at most ${limits.keyDescriptionLengthMax} characters`),
      v.maxLength(limits.keyDescriptionLengthMax, `must be a string of at most ${limits.keyDescriptionLengthMax} characters`),
    ),
    "",
  ),
});

/** `PATCH …/keys/{k}` (other fields are ignored). */
export const UpdateKey = v.object({ disabled: v.boolean("must be true or false") });

/** A rate of a quota: a positive integer per second; absent or null: no limit. */
const rate = v.nullish(v.pipe(v.number("must be a positive integer (per second)"), v.safeInteger("must be a positive integer (per second)"), v.minValue(1, "must be a positive integer (per second)")), null);

/** `PUT …/quotas/{principal}`: at least one rate. */
export const QuotaBody = v.pipe(
  v.strictObject({ producer_byte_rate: rate, consumer_byte_rate: rate, request_rate: rate }),
  v.check(
    (q) => q.producer_byte_rate !== null || q.consumer_byte_rate !== null || q.request_rate !== null,
    "a quota sets at least one of producer_byte_rate, consumer_byte_rate, request_rate",
  ),
);

/** `POST …/consumer-groups/{g}/offsets:reset`: the topic and its partitions (absent or null: all). */
export const OffsetsResetScope = v.object({
  topic: v.string("must be a topic name"),
  partitions: v.nullish(v.array(v.pipe(integer, v.minValue(0, "must be a partition number (0 or more)")), "must be a list of partition numbers"), null),
});

/** Where offsets:reset moves the offsets: an end, an offset, or a time (other fields are ignored). */
export const OffsetsResetTarget = v.variant(
  "to",
  [
    v.pipe(v.object({ to: v.picklist(["earliest", "latest"]) }), v.transform((b) => ({ to: b.to }))),
    v.pipe(v.object({ to: v.literal("offset"), offset: integer }), v.transform((b) => ({ offset: b.offset }))),
    v.pipe(v.object({ to: v.literal("timestamp"), timestamp: Timestamp }), v.transform((b) => ({ timestamp: b.timestamp }))),
  ],
  'must be "earliest", "latest", "offset" (with offset) or "timestamp" (with timestamp)',
);
