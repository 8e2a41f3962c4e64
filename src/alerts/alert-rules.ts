/**
 * Alert rules: their shape and the schema of a new one (every field
 * checked, unknown fields refused, nothing kept from a refused rule).
 *
 * What each kind measures (`target` absent: the whole cluster):
 * - consumer_lag: the total lag of group `target` (required): high
 *   watermark minus committed offset, summed over its partitions.
 * - under_replicated: partitions of topic `target` whose ISR is smaller
 *   than their replica set, or that have no leader.
 * - produce_error_rate: the fraction (0 to 1) of produce requests to
 *   topic `target` that failed over the last `limits.alertRateWindowMs`.
 * - storage_bytes: bytes of record batches stored by every replica of
 *   topic `target`'s partitions.
 * - subscription_stalled: partitions of push subscription `target` (or
 *   of every subscription) stalled now — stopped at a batch their target
 *   refused, with no dead-letter topic (a threshold of 0 fires on one).
 */
import * as v from "valibot";
import { checkInput, inputProblem } from "../input";
import { limits } from "../limits";
import { SubscriptionName } from "../push/subscription-body";
import { TopicName } from "../topic/validate";

export const ALERT_KINDS = ["consumer_lag", "under_replicated", "produce_error_rate", "storage_bytes", "subscription_stalled"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A rule as created. */
export interface AlertRule {
  name: string;
  kind: AlertKind;
  /** The group (consumer_lag), subscription (subscription_stalled) or topic the rule watches; null: the whole cluster. */
  target: string | null;
  /** The value must be above this to fire. */
  threshold: number;
  /** How long the value must stay above the threshold before the rule fires. */
  forMs: number;
  webhookUrl: string;
  createdAtMs: number;
}

/** Where a rule stands: inactive, pending (above its threshold since `sinceMs`), or firing (since `sinceMs`). */
export interface AlertState {
  status: "inactive" | "pending" | "firing";
  sinceMs: number | null;
  /** The last value measured; null when it could not be. */
  value: number | null;
  evaluatedAtMs: number | null;
}

export type AlertView = AlertRule & AlertState;

/** What the Worker asks of the controller about alerts. */
export type AlertRequest = { op: "create"; rule: Record<string, unknown> } | { op: "list" } | { op: "get"; name: string } | { op: "delete"; name: string };

/** Every answer: the rules concerned (create and get: the one; delete: the one deleted). */
export interface AlertsOk {
  ok: true;
  rules: AlertView[];
}

const NAME = /^[a-zA-Z0-9._-]+$/;
const THRESHOLD = "must be a number, 0 or more";
const FOR_MS = `must be an integer from 0 to ${limits.alertForMsMax}`;

/** An http or https URL with a host, at most `limits.alertWebhookUrlLengthMax` characters. */
const WebhookUrl = v.pipe(
  v.string("must be an http or https URL"),
  v.nonEmpty("must be an http or https URL"),
  v.maxLength(limits.alertWebhookUrlLengthMax, `is longer than ${limits.alertWebhookUrlLengthMax} characters`),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    let url: URL;
    try {
      url = new URL(dataset.value);
    } catch {
      return addIssue({ message: `webhook_url '${dataset.value}' is not a URL` });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") addIssue({ message: `webhook_url must be http or https, not ${url.protocol.replace(/:$/, "")}` });
    else if (url.hostname === "") addIssue({ message: "webhook_url needs a host" });
  }),
);

/** What a kind asks of its target and threshold: a group for consumer_lag, else a topic or none; a fraction for produce_error_rate. */
function kindProblem(rule: { kind: AlertKind; target: string | null; threshold: number }): string | null {
  if (rule.kind === "consumer_lag") {
    if (rule.target === null || rule.target.length === 0) return "a consumer_lag rule needs target: the consumer group's id";
    if (rule.target.length > limits.groupIdLengthMax) return `target is longer than ${limits.groupIdLengthMax} characters`;
  } else if (rule.kind === "subscription_stalled") {
    const problem = rule.target === null ? null : inputProblem(SubscriptionName, rule.target);
    if (problem !== null) return `target must be a subscription's name (or absent, for every subscription): ${problem}`;
  } else if (rule.target !== null) {
    const problem = inputProblem(TopicName, rule.target);
    if (problem !== null) return `target must be a topic name (or absent, for the whole cluster): ${problem}`;
  }
  if (rule.kind === "produce_error_rate" && rule.threshold > 1) return "a produce_error_rate threshold is a fraction of requests, from 0 to 1";
  return null;
}

/** A create request's body: every field checked, unknown fields refused. */
const AlertRuleBody = v.pipe(
  v.strictObject({
    name: v.pipe(
      v.string("must be a non-empty string"),
      v.nonEmpty("must be a non-empty string"),
      v.maxLength(limits.alertNameLengthMax, `is longer than ${limits.alertNameLengthMax} characters`),
      v.regex(NAME, (issue) => `'${issue.input}' may hold only ASCII letters, digits, '.', '_' and '-'`),
    ),
    kind: v.picklist(ALERT_KINDS, `must be one of ${ALERT_KINDS.join(", ")}`),
    target: v.nullish(v.string("must be a string: a group id, or a topic name"), null),
    threshold: v.pipe(v.number(THRESHOLD), v.finite(THRESHOLD), v.minValue(0, THRESHOLD)),
    for_ms: v.pipe(v.number(FOR_MS), v.integer(FOR_MS), v.minValue(0, FOR_MS), v.maxValue(limits.alertForMsMax, FOR_MS)),
    webhook_url: WebhookUrl,
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? kindProblem(dataset.value) : null;
    if (problem !== null) addIssue({ message: problem });
  }),
);

/** Parses a create request's body into a rule (made at `nowMs`), or says what is wrong with it. */
export function parseAlertRule(body: Record<string, unknown>, nowMs: number): AlertRule | string {
  const checked = checkInput(AlertRuleBody, body);
  if (!checked.ok) return checked.message;
  const { name, kind, target, threshold, for_ms: forMs, webhook_url: webhookUrl } = checked.value;
  return { name, kind, target, threshold, forMs, webhookUrl, createdAtMs: nowMs };
}
