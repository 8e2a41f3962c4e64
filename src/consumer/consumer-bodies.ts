/**
 * What consumers send, as valibot schemas (checked with src/input.ts):
 * the bodies of the v2 instance requests (subscribe, assign, commit,
 * committed, seek) and a WebSocket subscriber's frames. Fields a body
 * does not name are ignored, as Confluent's proxy ignores them. The
 * create body is consumer-config.ts's.
 */
import * as v from "valibot";
import { limits } from "../limits";
import { parseTimestamp } from "../produce/timestamps";
import type { TopicPartition } from "../group/assignors";
import type { OffsetChange, SeekTarget, Subscription } from "../group/types";

const integer = v.pipe(v.number("must be an integer"), v.integer("must be an integer"));
const PARTITION = "must be a partition number (an integer, 0 or more)";
const partition = v.pipe(v.number(PARTITION), v.integer(PARTITION), v.minValue(0, PARTITION));
const topic = v.string("must be a topic name");

/** A time as clients give it (epoch ms, a string of digits, or RFC 3339) in epoch ms; what is wrong with it otherwise. */
export const Timestamp = v.pipe(
  v.unknown(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const ms = parseTimestamp(dataset.value);
    if (typeof ms === "number") return ms;
    addIssue({ message: ms });
    return NEVER;
  }),
);

/** `[{topic, partition}]`, at least one. */
export const Partitions = v.pipe(
  v.array(v.pipe(v.object({ topic, partition }), v.transform((p): TopicPartition => ({ topic: p.topic, partition: p.partition }))), "must be a non-empty list of {topic, partition}"),
  v.nonEmpty("must be a non-empty list of {topic, partition}"),
);

/** Offsets to commit, `[{topic, partition, offset, metadata?}]` (a metadata that is not a string is none); the group checks each partition and offset. */
export const OffsetList = v.array(
  v.pipe(
    v.object({ topic, partition: integer, offset: integer, metadata: v.optional(v.unknown()) }),
    v.transform((o): OffsetChange => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: typeof o.metadata === "string" ? o.metadata : null })),
  ),
  "must be a list of {topic, partition, offset}",
);

const TOPICS = `must be a list of 1 to ${limits.topicsCountMax} topic names`;

/** `POST …/subscription`: `{"topics": [...]}` or `{"topic_pattern": "…"}` (both at once is the route's 40903). */
export const SubscriptionBody = v.pipe(
  v.object({
    topics: v.optional(v.pipe(v.array(topic, TOPICS), v.nonEmpty(TOPICS), v.maxLength(limits.topicsCountMax, TOPICS))),
    topic_pattern: v.optional(v.string("must be a string (a regular expression)")),
  }),
  v.check(
    (b) => b.topics !== undefined || b.topic_pattern !== undefined,
    `subscription needs "topics": [1 to ${limits.topicsCountMax} topic names] or "topic_pattern": a regular expression`,
  ),
  v.transform((b): Subscription => (b.topic_pattern !== undefined ? { pattern: b.topic_pattern } : { topics: [...new Set(b.topics)] })),
);

/** `POST …/assignments`, `POST …/positions/beginning` and `…/end`. */
export const PartitionsBody = v.object({ partitions: Partitions });

/** `GET …/offsets`: the partitions asked about (absent: every partition the instance owns). */
export const CommittedBody = v.object({ partitions: v.optional(Partitions) });

const Commit = v.object({ offsets: v.optional(OffsetList) });

/** `POST …/offsets`: `offsets` (or `partitions`, an older name); absent: everything returned so far. */
export const CommitBody = v.pipe(
  v.object({ offsets: v.optional(v.unknown()), partitions: v.optional(v.unknown()) }),
  v.transform((b) => ({ offsets: b.offsets ?? b.partitions }) as v.InferInput<typeof Commit>), // checked next
  Commit,
);

const TimestampTarget = v.pipe(
  v.object({ topic, partition, timestamp: Timestamp }),
  v.transform((t): TopicPartition & SeekTarget => ({ topic: t.topic, partition: t.partition, timestamp: t.timestamp })),
);

const Positions = v.object({ timestamps: v.optional(v.array(TimestampTarget, "must be a list of {topic, partition, timestamp}")), offsets: v.optional(OffsetList) });

/** `POST …/positions`: `{"offsets": [...]}` or `{"timestamps": [{topic, partition, timestamp}]}` (timestamps win when both are given). */
export const PositionsBody = v.pipe(
  v.object({ timestamps: v.optional(v.unknown()), offsets: v.optional(v.unknown()) }),
  v.transform((b) => (b.timestamps !== undefined ? { timestamps: b.timestamps } : { offsets: b.offsets }) as v.InferInput<typeof Positions>), // checked next
  Positions,
  v.check((b) => b.timestamps !== undefined || b.offsets !== undefined, "positions need offsets: [{topic, partition, offset}] or timestamps"),
  v.transform((b): (TopicPartition & SeekTarget)[] => b.timestamps ?? (b.offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))),
);

const RECORDS = "must be a positive integer";
const OFFSET = "must be a non-negative integer";

/**
 * A WebSocket subscriber's frame: `permit` (records: more credit),
 * `commit` (offsets, each the next to read; `id` echoed), `seek` (a
 * partition to an offset, else a timestamp), `ping` or `pong`.
 */
export const ClientFrame = v.variant(
  "type",
  [
    v.object({ type: v.literal("permit"), records: v.pipe(v.number(RECORDS), v.integer(RECORDS), v.minValue(1, RECORDS)) }),
    v.object({ type: v.literal("commit"), id: v.optional(v.unknown()), offsets: OffsetList }),
    v.pipe(
      v.object({
        type: v.literal("seek"),
        topic,
        partition: v.number("must be a partition number"),
        offset: v.optional(v.pipe(v.number(OFFSET), v.safeInteger(OFFSET), v.minValue(0, OFFSET))),
        timestamp: v.optional(Timestamp),
      }),
      v.check((s) => s.offset !== undefined || s.timestamp !== undefined, "seek needs an offset or a timestamp"),
      v.transform((s) => ({ type: s.type, target: { topic: s.topic, partition: s.partition, ...(s.offset !== undefined ? { offset: s.offset } : { timestamp: s.timestamp as number }) } })),
    ),
    v.object({ type: v.picklist(["ping", "pong"]) }),
  ],
  (issue) => `must be permit, commit, seek, ping or pong, got ${issue.received.slice(0, 64)}`,
);
