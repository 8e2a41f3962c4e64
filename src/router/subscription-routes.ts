/**
 * Push subscriptions (ext, API.md "Push subscriptions and Worker
 * bindings"): `POST`, `GET /v3/clusters/{c}/subscriptions`, `GET` and
 * `DELETE …/subscriptions/{name}`, `POST …/subscriptions/{name}:pause` and
 * `:resume`. The body is checked whole here (push/subscription-body.ts),
 * with the topics and the target; the subscription's object does the
 * rest (push/push-subscription.ts). The access rules (access-rules.ts)
 * checked the ACLs before.
 */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { limits } from "../limits";
import { topicMeta } from "../metadata/topic-cache";
import { fanOut } from "../metrics/fan-out";
import type { ViewOk } from "../push/push-subscription";
import { parseSubscription } from "../push/subscription-body";
import type { SubscriptionView, Target } from "../push/types";
import { nonPublicHost } from "../push/webhook-url";
import { serviceBinding } from "../push/worker-target";
import { callController, callSubscription } from "../rpc/objects";
import { auditAs, describable, principalIn, refuseInternal } from "./access";
import { readJsonObject } from "./body";
import { subscriptionInPath } from "./subscription-access";
import { baseUrl } from "./url";
import { list } from "./views";

export const subscriptionRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const S = "/v3/clusters/:c/subscriptions";

subscriptionRoutes.post(S, async (c) => {
  const config = parseSubscription(await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  auditAs(c, `GROUP:${config.name}`);
  for (const topic of config.topics) await topicMeta(c.env, topic); // 40401 for one that does not exist
  if (config.deadLetterTopic !== null) await deadLetterTopic(c.env, config.deadLetterTopic);
  checkTarget(c.env, config.target);
  const made = unwrap(await callSubscription(c.env, config.name).create(config, principalIn(c)));
  return c.json({ ...made.view, ...(made.secret === null ? {} : { signing_secret: made.secret }) }, 201);
});

subscriptionRoutes.get(S, async (c: C) => {
  const { subscriptions } = unwrap(await callController(c.env).listSubscriptions());
  const names = await describable(c, "GROUP", subscriptions, (name) => name);
  const calls = names.map((name) => ({ who: `subscription '${name}'`, call: () => callSubscription(c.env, name).describe(name, false) }));
  const answers = await fanOut<ViewOk>(calls, limits.metricsScrapeCallsInFlightMax, Date.now() + limits.metricsScrapeMs);
  const views: SubscriptionView[] = [];
  answers.forEach((a, i) => {
    if (a.ok) views.push(a.view);
    else if (a.failure?.error_code !== ErrorCode.SUBSCRIPTION_NOT_FOUND) {
      throw new RunnelError(ErrorCode.RETRIABLE, `BROKER_NOT_AVAILABLE: subscription '${names[i]}' did not answer; retry`, undefined, "BROKER_NOT_AVAILABLE");
    } // not found: deleted since it was listed
  });
  return c.json(list("Subscription", `${baseUrl(c)}${c.req.path}`, views));
});

subscriptionRoutes.get(`${S}/:s`, async (c) => {
  const name = c.req.param("s");
  return c.json(unwrap(await callSubscription(c.env, name).describe(name)).view);
});

subscriptionRoutes.delete(`${S}/:s`, async (c) => {
  const name = c.req.param("s");
  unwrap(await callSubscription(c.env, name).remove(name));
  return c.body(null, 204);
});

subscriptionRoutes.post(`${S}/:s`, async (c) => {
  const { name, action } = subscriptionInPath(c.req.param("s"));
  if (action === null) throw new RunnelError(ErrorCode.NOT_FOUND, `no route for POST ${c.req.path}: ${S.replace("/v3/clusters/:c", "…")}/{name}:pause or :resume`);
  auditAs(c, `GROUP:${name}`);
  const subscription = callSubscription(c.env, name);
  return c.json(unwrap(await (action === "pause" ? subscription.pause(name) : subscription.resume(name))).view);
});

/** The dead-letter topic must exist (40401) and be one clients may write (not internal). */
async function deadLetterTopic(env: Env, name: string): Promise<void> {
  refuseInternal(name);
  try {
    await topicMeta(env, name);
  } catch (e) {
    if (e instanceof RunnelError && e.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new RunnelError(e.errorCode, `dead_letter_topic '${name}' does not exist: create it first`);
    }
    throw e;
  }
}

/**
 * A worker target's binding must exist; a webhook on a loopback or
 * private address is refused in production mode (server-side request
 * forgery), allowed in development.
 */
function checkTarget(env: Env, target: Target): void {
  if (target.type === "worker") {
    if (serviceBinding(env, target.service) !== null) return;
    throw new RunnelError(ErrorCode.BAD_REQUEST, `target.service: Runnel's Worker has no service binding named ${target.service} (add it to wrangler.toml's [[services]])`);
  }
  const problem = env.MODE === "development" ? null : nonPublicHost(new URL(target.url));
  if (problem !== null) throw new RunnelError(ErrorCode.BAD_REQUEST, `target.url: ${problem}; webhooks on loopback or private addresses are refused in production mode`);
}
