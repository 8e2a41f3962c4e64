/**
 * IncrementalAlterConfigs (key 44), every version Kafka defines (v0–1): a
 * topic's configs changed one by one — SET a value, DELETE (back to the
 * default), APPEND to or SUBTRACT from a list config (`cleanup.policy`,
 * from its value now; on another config INVALID_CONFIG, as Kafka) — with
 * `POST …/topics/{t}/configs:alter`, all or nothing and checked as HTTP
 * checks it (an unknown config or a bad value is INVALID_CONFIG; a
 * principal without ALTER_CONFIGS on the topic TOPIC_AUTHORIZATION_FAILED).
 * A config named twice is INVALID_REQUEST. Broker configs are read-only
 * (INVALID_CONFIG). `validate_only` checks and changes nothing.
 */
import { alterTopicConfigs, topicConfigs } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { IncrementalAlterConfigsRequestAlterableConfig, IncrementalAlterConfigsRequestAlterConfigsResource } from "../codec/generated/incremental-alter-configs-request";
import { type Context, each, serve } from "./api";
import { isListConfig, otherBroker, readOnlyBroker, ResourceType, unsupportedType } from "./config-resources";
import { ACCEPTED, outcome, type Refusal } from "./refusal";

/** Kafka's AlterConfigOp.OpType codes. */
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];

type Change = IncrementalAlterConfigsRequestAlterableConfig;

export const incrementalAlterConfigs = serve(apis.IncrementalAlterConfigs, {
  async handle(req, _version, ctx) {
    return {
      responses: await each(req.resources, async (r) => ({ ...(await alterOne(ctx, r, req.validateOnly)), resourceType: r.resourceType, resourceName: r.resourceName })),
    };
  },

  failed(req, code) {
    return { responses: req.resources.map((r) => ({ errorCode: code, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});

/** What is wrong with the changes before anything is asked: a name twice, an operation Kafka does not have, SET without a value, a list operation on a config that is no list. */
function problemOf(changes: Change[]): Refusal | null {
  const names = changes.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `config '${twice}' is named more than once` };
  const unknown = changes.find((c) => c.configOperation < SET || c.configOperation > SUBTRACT);
  if (unknown !== undefined) return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `config operation ${unknown.configOperation} of '${unknown.name}' is not SET (0), DELETE (1), APPEND (2) or SUBTRACT (3)` };
  const nullSet = changes.find((c) => c.configOperation === SET && c.value === null);
  if (nullSet !== undefined) return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `null value not supported for SET of '${nullSet.name}' (DELETE returns a config to its default)` };
  const notList = changes.find((c) => c.configOperation >= APPEND && !isListConfig(c.name));
  if (notList !== undefined) return { errorCode: KafkaCode.INVALID_CONFIG, errorMessage: `config value ${notList.configOperation === APPEND ? "append" : "subtract"} is not allowed for config key: ${notList.name}` };
  return null;
}

async function alterOne(ctx: Context, r: IncrementalAlterConfigsRequestAlterConfigsResource, validateOnly: boolean): Promise<Refusal> {
  if (r.resourceType === ResourceType.BROKER || r.resourceType === ResourceType.BROKER_LOGGER) {
    return otherBroker(r.resourceName, ctx.self.nodeId) ?? (r.configs.length === 0 ? ACCEPTED : readOnlyBroker(r.configs.map((c) => c.name)));
  }
  if (r.resourceType !== ResourceType.TOPIC) return unsupportedType(r.resourceType);
  const problem = problemOf(r.configs);
  if (problem !== null) return problem;
  return outcome(async () => {
    if (r.configs.length === 0) return void (await ctx.api.getTopic(r.resourceName)); // nothing to change; the topic must exist
    const lists = r.configs.some((c) => c.configOperation >= APPEND) ? await topicConfigs(ctx.api, r.resourceName) : [];
    const now = (name: string) => (lists.find((c) => c.name === name)?.value ?? "").split(",").filter((v) => v !== "");
    const changes = r.configs.map((c) => {
      if (c.configOperation === SET) return { name: c.name, value: c.value };
      if (c.configOperation === DELETE) return { name: c.name, value: null };
      const items = (c.value ?? "").split(",").map((v) => v.trim()).filter((v) => v !== "");
      const next = c.configOperation === APPEND ? [...now(c.name), ...items.filter((v) => !now(c.name).includes(v))] : now(c.name).filter((v) => !items.includes(v));
      return { name: c.name, value: next.join(",") };
    });
    await alterTopicConfigs(ctx.api, r.resourceName, changes, validateOnly);
  });
}
