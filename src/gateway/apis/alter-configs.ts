/**
 * AlterConfigs (key 33), every version Kafka defines (v0–2): a topic's
 * configs are replaced by those given — each config not given returns to
 * its default, as Kafka's (non-incremental) AlterConfigs does — with
 * `POST …/topics/{t}/configs:alter`, all or nothing and checked as HTTP
 * checks it (an unknown config or a bad value is INVALID_CONFIG; a
 * principal without ALTER_CONFIGS on the topic TOPIC_AUTHORIZATION_FAILED).
 * Broker configs are read-only (INVALID_CONFIG). `validate_only` checks
 * and changes nothing.
 */
import { alterTopicConfigs, topicConfigs } from "../backend/admin-api";
import { apis } from "../codec/generated";
import type { AlterConfigsRequestAlterConfigsResource } from "../codec/generated/alter-configs-request";
import { type Context, each, serve } from "./api";
import { otherBroker, readOnlyBroker, ResourceType, unsupportedType } from "./config-resources";
import { ACCEPTED, outcome, type Refusal } from "./refusal";

export const alterConfigs = serve(apis.AlterConfigs, {
  async handle(req, _version, ctx) {
    return {
      responses: await each(req.resources, async (r) => ({ ...(await alterOne(ctx, r, req.validateOnly)), resourceType: r.resourceType, resourceName: r.resourceName })),
    };
  },

  failed(req, code) {
    return { responses: req.resources.map((r) => ({ errorCode: code, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});

async function alterOne(ctx: Context, r: AlterConfigsRequestAlterConfigsResource, validateOnly: boolean): Promise<Refusal> {
  if (r.resourceType === ResourceType.BROKER || r.resourceType === ResourceType.BROKER_LOGGER) {
    return otherBroker(r.resourceName, ctx.self.nodeId) ?? (r.configs.length === 0 ? ACCEPTED : readOnlyBroker(r.configs.map((c) => c.name)));
  }
  if (r.resourceType !== ResourceType.TOPIC) return unsupportedType(r.resourceType);
  return outcome(async () => {
    const given = new Set(r.configs.map((c) => c.name));
    const others = (await topicConfigs(ctx.api, r.resourceName)).filter((c) => !given.has(c.name)).map((c) => ({ name: c.name, value: null }));
    await alterTopicConfigs(ctx.api, r.resourceName, [...r.configs.map((c) => ({ name: c.name, value: c.value })), ...others], validateOnly);
  });
}
