/**
 * DescribeConfigs (key 32), every version Kafka defines (v0–4). A topic's
 * configs are `GET …/topics/{t}/configs` (every config Runnel has, defaults
 * included; needs DESCRIBE_CONFIGS on the topic, else
 * TOPIC_AUTHORIZATION_FAILED). A broker's — the front door's own node id,
 * or "" — are the Worker's broker configs (`GET …/brokers/{b}/configs`,
 * all read-only; needs DESCRIBE_CONFIGS on the cluster, else
 * CLUSTER_AUTHORIZATION_FAILED), with `broker.id` this front door's node
 * id; "" answers no configs, as Runnel has no cluster-wide dynamic ones.
 * Broker loggers: none. Synonyms only when asked (v1+); no documentation.
 */
import { brokerConfigs, type ConfigEntry, topicConfigs } from "../backend/admin-api";
import { apis } from "../codec/generated";
import type { DescribeConfigsRequest, DescribeConfigsRequestDescribeConfigsResource } from "../codec/generated/describe-configs-request";
import type { DescribeConfigsResponseDescribeConfigsResourceResult } from "../codec/generated/describe-configs-response";
import type { Init } from "../codec/tagged";
import { type Context, each, serve } from "./api";
import { otherBroker, ResourceType, sourceCode, typeCode, unsupportedType } from "./config-resources";
import { ACCEPTED, type Refusal, refusalOf } from "./refusal";

type Resource = DescribeConfigsRequestDescribeConfigsResource;

export const describeConfigs = serve(apis.DescribeConfigs, {
  async handle(req, _version, ctx) {
    return {
      results: await each(req.resources, async (r) => {
        const { refusal, configs } = await configsOf(ctx, r);
        return { ...refusal, resourceType: r.resourceType, resourceName: r.resourceName, configs: configs.map((c) => entryOf(c, req)) };
      }),
    };
  },

  failed(req, code) {
    return { results: req.resources.map((r) => ({ errorCode: code, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});

/** The resource's configs named in the request (all when it names none), or the refusal. */
async function configsOf(ctx: Context, r: Resource): Promise<{ refusal: Refusal; configs: ConfigEntry[] }> {
  const refused = (refusal: Refusal) => ({ refusal, configs: [] });
  try {
    let configs: ConfigEntry[];
    if (r.resourceType === ResourceType.TOPIC) configs = await topicConfigs(ctx.api, r.resourceName);
    else if (r.resourceType === ResourceType.BROKER || r.resourceType === ResourceType.BROKER_LOGGER) {
      const other = otherBroker(r.resourceName, ctx.self.nodeId);
      if (other !== null) return refused(other);
      configs = await brokerConfigs(ctx.api); // asked of the Worker for broker loggers too: the same authorization
      if (r.resourceName === "" || r.resourceType === ResourceType.BROKER_LOGGER) configs = [];
      configs = configs.map((c) => (c.name === "broker.id" ? { ...c, value: String(ctx.self.nodeId) } : c));
    } else return refused(unsupportedType(r.resourceType));
    const keys = r.configurationKeys;
    return { refusal: ACCEPTED, configs: keys === null ? configs : configs.filter((c) => keys.includes(c.name)) };
  } catch (e) {
    return refused(refusalOf(e));
  }
}

function entryOf(c: ConfigEntry, req: DescribeConfigsRequest): Init<DescribeConfigsResponseDescribeConfigsResourceResult> {
  return {
    name: c.name,
    value: c.sensitive ? null : c.value,
    readOnly: c.readOnly,
    isDefault: c.isDefault,
    configSource: sourceCode(c.source),
    isSensitive: c.sensitive,
    synonyms: req.includeSynonyms ? c.synonyms.map((s) => ({ name: s.name, value: c.sensitive ? null : s.value, source: sourceCode(s.source) })) : [],
    configType: typeCode(c.name),
    documentation: null,
  };
}
