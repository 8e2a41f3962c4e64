/**
 * The shapes of v3 admin request bodies, checked with valibot before
 * anything is changed: a field of the wrong type, or one the endpoint
 * does not know, is a 400 naming it. Values (name rules, counts against
 * the broker count, config values) are checked where they are used.
 * Produce bodies do not go through here: their hot path is hand-checked.
 */
import * as v from "valibot";
import { ErrorCode, RunnelError } from "../errors";

const configEntry = v.strictObject({ name: v.string(), value: v.nullish(v.string()) });

/** `POST …/topics`: Confluent's CreateTopicRequest (replicas_assignments only when empty). */
export const CreateTopic = v.strictObject({
  topic_name: v.string(),
  partitions_count: v.optional(v.pipe(v.number(), v.integer())),
  replication_factor: v.optional(v.pipe(v.number(), v.integer())),
  configs: v.optional(v.array(configEntry)),
  replicas_assignments: v.optional(v.record(v.string(), v.pipe(v.array(v.number()), v.length(0, "explicit replica placement is not supported")))),
  validate_only: v.optional(v.boolean()),
});

/** `PATCH …/topics/{t}`. */
export const UpdatePartitionCount = v.strictObject({ partitions_count: v.pipe(v.number(), v.integer()) });

/** `PUT …/topics/{t}/configs/{name}`: a null value resets to the default. */
export const UpdateConfig = v.strictObject({ value: v.nullable(v.string()) });

/** `POST …/topics/{t}/configs:alter`. */
export const AlterConfigs = v.strictObject({
  data: v.array(v.strictObject({ name: v.string(), value: v.nullish(v.string()), operation: v.optional(v.picklist(["SET", "DELETE"])) })),
  validate_only: v.optional(v.boolean()),
});

/** `body` checked against `schema`, or a 400 naming the first problem and where it is. */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const issue = result.issues[0]!;
  const path = v.getDotPath(issue);
  throw new RunnelError(ErrorCode.BAD_REQUEST, path === null ? issue.message : `${path}: ${issue.message}`);
}
