/**
 * The body of `POST …/subscriptions` (checked with src/input.ts before
 * anything is made): every field's type and range, unknown fields
 * refused, defaults filled in. What needs other objects — the topics
 * existing, the principal's ACLs, the binding existing, a webhook's
 * address in production mode — is checked by the route.
 */
import * as v from "valibot";
import { parseInput } from "../input";
import { limits } from "../limits";
import { TopicName } from "../topic/validate";
import type { SubscriptionConfig, Target } from "./types";

/** A subscription's name: as a topic name (it is also its consumer group's id). */
export const SubscriptionName = v.pipe(
  v.string("must be a non-empty string"),
  v.nonEmpty("must be a non-empty string"),
  v.maxLength(limits.subscriptionNameLengthMax, `is longer than ${limits.subscriptionNameLengthMax} characters`),
  v.regex(/^[a-zA-Z0-9._-]+$/, (issue) => `'${issue.input}' may hold only ASCII letters, digits, '.', '_' and '-'`),
  v.check((name) => name !== "." && name !== "..", (issue) => `cannot be '${issue.input}'`),
);

/** An integer from `min` to `max`, both inclusive. */
const between = (min: number, max: number, unit = "") => {
  const text = `must be an integer from ${min} to ${max}${unit}`;
  return v.pipe(v.number(text), v.integer(text), v.minValue(min, text), v.maxValue(max, text));
};

/** Header names Runnel sets itself on every webhook request. */
const OWN_HEADERS = new Set(["content-type", "runnel-signature", "content-length", "host"]);

/** Why `name` may not be a target header (not an HTTP token, or one of Runnel's own), or null. */
function headerNameProblem(name: string): string | null {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `target.headers: '${name.slice(0, 64)}' is not an HTTP header name`;
  return OWN_HEADERS.has(name.toLowerCase()) ? `target.headers: ${name} is set by Runnel` : null;
}

const HeaderValue = v.pipe(
  v.string("must be a string"),
  v.maxLength(limits.pushWebhookHeaderLengthMax, `is longer than ${limits.pushWebhookHeaderLengthMax} characters`),
  v.regex(/^[\t\x20-\x7e\x80-\xff]*$/, "may not hold control characters"),
);

/** An http or https URL with a host. */
const WebhookUrl = v.pipe(
  v.string("must be an http or https URL"),
  v.nonEmpty("must be an http or https URL"),
  v.maxLength(limits.pushWebhookUrlLengthMax, `is longer than ${limits.pushWebhookUrlLengthMax} characters`),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    if (!URL.canParse(dataset.value)) return addIssue({ message: `target.url '${dataset.value.slice(0, 64)}' is not a URL` });
    const url = new URL(dataset.value);
    if (url.protocol !== "http:" && url.protocol !== "https:") addIssue({ message: `target.url must be http or https, not ${url.protocol.replace(/:$/, "")}` });
    else if (url.username !== "" || url.password !== "") addIssue({ message: "target.url may not carry credentials; send them in target.headers" });
  }),
);

const WebhookBody = v.strictObject({
  type: v.literal("webhook"),
  url: WebhookUrl,
  headers: v.optional(
    v.pipe(
      v.record(v.string(), HeaderValue, "must be an object of header names to values"),
      v.check((h) => Object.keys(h).length <= limits.pushWebhookHeadersMax, `may hold at most ${limits.pushWebhookHeadersMax} headers`),
      v.rawCheck(({ dataset, addIssue }) => {
        const problem = dataset.typed ? Object.keys(dataset.value).map(headerNameProblem).find((p) => p !== null) : null;
        if (problem) addIssue({ message: problem });
      }),
    ),
    {},
  ),
});

const WorkerBody = v.strictObject({
  type: v.literal("worker"),
  service: v.pipe(v.string("must be the name of a service binding"), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, (issue) => `'${issue.input}' is not a binding name`)),
});

const TargetBody = v.variant("type", [WebhookBody, WorkerBody], 'must be {"type":"webhook","url"} or {"type":"worker","service"}');

const TopicList = v.pipe(
  v.array(TopicName, "must be an array of topic names"),
  v.minLength(1, "must name at least one topic"),
  v.maxLength(limits.subscriptionTopicsMax, `may name at most ${limits.subscriptionTopicsMax} topics`),
  v.check((topics) => new Set(topics).size === topics.length, "may not name a topic twice"),
);

/** `POST …/subscriptions`. */
export const CreateSubscription = v.pipe(
  v.strictObject({
    name: SubscriptionName,
    topics: TopicList,
    target: TargetBody,
    format: v.optional(v.picklist(["binary", "json", "string"], "must be binary, json or string"), "binary"),
    batch_records: v.optional(between(1, limits.pushBatchRecordsMax), limits.pushBatchRecordsDefault),
    batch_bytes: v.optional(between(1, limits.pushBatchBytesMax, " bytes"), limits.pushBatchBytesDefault),
    max_wait_ms: v.optional(between(0, limits.pushMaxWaitMsMax, " ms"), limits.pushMaxWaitMsDefault),
    max_retries: v.optional(between(0, limits.pushMaxRetriesMax), limits.pushMaxRetriesDefault),
    retry_backoff_ms: v.optional(between(1, limits.pushRetryBackoffMsMax, " ms"), limits.pushRetryBackoffMsDefault),
    dead_letter_topic: v.nullish(TopicName, null),
    delivery_delay_ms: v.optional(between(0, limits.pushDeliveryDelayMsMax, " ms"), 0),
    start: v.optional(v.picklist(["earliest", "latest"], "must be earliest or latest"), "latest"),
    isolation: v.optional(v.picklist(["read_uncommitted", "read_committed"], "must be read_uncommitted or read_committed"), "read_uncommitted"),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    const dlq = dataset.typed ? dataset.value.dead_letter_topic : null;
    if (dlq !== null && dataset.typed && dataset.value.topics.includes(dlq)) {
      addIssue({ message: `dead_letter_topic '${dlq}' is one of the topics read: its dead letters would be delivered again` });
    }
  }),
);

/** A create body as settings (defaults filled in); a 400 naming the first problem. */
export function parseSubscription(body: unknown): SubscriptionConfig {
  const b = parseInput(CreateSubscription, body);
  const target: Target = b.target.type === "webhook" ? { type: "webhook", url: b.target.url, headers: b.target.headers } : b.target;
  return {
    name: b.name,
    topics: b.topics,
    target,
    format: b.format,
    batchRecords: b.batch_records,
    batchBytes: b.batch_bytes,
    maxWaitMs: b.max_wait_ms,
    maxRetries: b.max_retries,
    retryBackoffMs: b.retry_backoff_ms,
    deadLetterTopic: b.dead_letter_topic,
    deliveryDelayMs: b.delivery_delay_ms,
    start: b.start,
    isolation: b.isolation,
  };
}
