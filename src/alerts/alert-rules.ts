/**
 * Alert rules: their shape and the validation of a new one (every field
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
 */
import { limits } from "../limits";
import { topicNameProblem } from "../topic/validate";

export const ALERT_KINDS = ["consumer_lag", "under_replicated", "produce_error_rate", "storage_bytes"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A rule as created. */
export interface AlertRule {
  name: string;
  kind: AlertKind;
  /** The group (consumer_lag) or topic the rule watches; null: the whole cluster. */
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

const FIELDS = new Set(["name", "kind", "target", "threshold", "for_ms", "webhook_url"]);
const NAME = /^[a-zA-Z0-9._-]+$/;

/** Parses a create request's body into a rule (made at `nowMs`), or says what is wrong with it. */
export function parseAlertRule(body: Record<string, unknown>, nowMs: number): AlertRule | string {
  const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) return `unknown field '${unknown}'; an alert rule has ${[...FIELDS].join(", ")}`;
  const { name, kind, threshold, for_ms: forMs, webhook_url: webhookUrl } = body;
  const target = body.target ?? null;
  const problem =
    nameProblem(name) ??
    (typeof kind === "string" && (ALERT_KINDS as readonly string[]).includes(kind) ? null : `kind must be one of ${ALERT_KINDS.join(", ")}`) ??
    targetProblem(kind as AlertKind, target) ??
    thresholdProblem(kind as AlertKind, threshold) ??
    forMsProblem(forMs) ??
    webhookUrlProblem(webhookUrl);
  if (problem !== null) return problem;
  return {
    name: name as string,
    kind: kind as AlertKind,
    target: target as string | null,
    threshold: threshold as number,
    forMs: forMs as number,
    webhookUrl: webhookUrl as string,
    createdAtMs: nowMs,
  };
}

function nameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "name must be a non-empty string";
  if (name.length > limits.alertNameLengthMax) return `name is longer than ${limits.alertNameLengthMax} characters`;
  if (!NAME.test(name)) return `name '${name}' may hold only ASCII letters, digits, '.', '_' and '-'`;
  return null;
}

function targetProblem(kind: AlertKind, target: unknown): string | null {
  if (kind === "consumer_lag") {
    if (typeof target !== "string" || target.length === 0) return "a consumer_lag rule needs target: the consumer group's id";
    return target.length > limits.groupIdLengthMax ? `target is longer than ${limits.groupIdLengthMax} characters` : null;
  }
  if (target === null) return null;
  const problem = topicNameProblem(target);
  return problem === null ? null : `target must be a topic name (or absent, for the whole cluster): ${problem.replace(/^topic_name /, "")}`;
}

function thresholdProblem(kind: AlertKind, threshold: unknown): string | null {
  if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold < 0) return "threshold must be a number, 0 or more";
  if (kind === "produce_error_rate" && threshold > 1) return "a produce_error_rate threshold is a fraction of requests, from 0 to 1";
  return null;
}

function forMsProblem(forMs: unknown): string | null {
  if (typeof forMs !== "number" || !Number.isInteger(forMs) || forMs < 0 || forMs > limits.alertForMsMax) {
    return `for_ms must be an integer from 0 to ${limits.alertForMsMax}`;
  }
  return null;
}

function webhookUrlProblem(url: unknown): string | null {
  if (typeof url !== "string" || url.length === 0) return "webhook_url must be an http or https URL";
  if (url.length > limits.alertWebhookUrlLengthMax) return `webhook_url is longer than ${limits.alertWebhookUrlLengthMax} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `webhook_url '${url}' is not a URL`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `webhook_url must be http or https, not ${parsed.protocol.replace(/:$/, "")}`;
  if (parsed.hostname === "") return "webhook_url needs a host";
  return null;
}
