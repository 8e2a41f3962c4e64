/**
 * Topic configs (v3): list, one config, `PUT`/`DELETE` one config, and
 * `configs:alter` for several at once (all or nothing). `validate_only`
 * checks a change without making it.
 */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { parseInput, type RefuseAs } from "../input";
import { limits } from "../limits";
import { forgetTopic } from "../metadata/topic-cache";
import { configsConflict, withChanges } from "../topic/configs";
import type { ConfigChange } from "../topic/types";
import { ConfigChanges } from "../topic/validate";
import { AlterConfigs, UpdateConfig } from "./admin-schemas";
import { readJsonObject } from "./body";
import { baseUrl } from "./url";
import { configViews, list } from "./views";
import { callController } from "../rpc/objects";

export const topicConfigRoutes = new Hono<{ Bindings: Env }>();
const T = "/v3/clusters/:c/topics/:t";
type C = Context<{ Bindings: Env }>;

topicConfigRoutes.get(`${T}/configs`, async (c) => {
  const topic = unwrap(await callController(c.env).getTopic(c.req.param("t")));
  return c.json(list("TopicConfig", `${baseUrl(c)}${c.req.path}`, configViews(baseUrl(c), c.env.CLUSTER_ID, topic)));
});

topicConfigRoutes.get(`${T}/configs/:name`, async (c) => {
  const topic = unwrap(await callController(c.env).getTopic(c.req.param("t")));
  const view = configViews(baseUrl(c), c.env.CLUSTER_ID, topic).find((v) => v.name === c.req.param("name"));
  if (view === undefined) throw new RunnelError(ErrorCode.NOT_FOUND, `topic config '${c.req.param("name")}' does not exist`);
  return c.json(view);
});

/** Applies `changes` (checked by `ConfigChanges`) unless `validateOnly`; 204 either way. */
async function alter(c: C, changes: ConfigChange[], validateOnly: boolean) {
  if (validateOnly) {
    const topic = unwrap(await callController(c.env).getTopic(c.req.param("t")!)); // the topic must exist
    const conflict = configsConflict(withChanges(topic.configs, changes));
    if (conflict !== null) throw new RunnelError(ErrorCode.BAD_REQUEST, conflict, undefined, "INVALID_CONFIG");
  } else unwrap(await callController(c.env).alterConfigs(c.req.param("t")!, changes));
  forgetTopic(c.req.param("t")!);
  return c.body(null, 204);
}

/** A config change that cannot be made is Kafka's INVALID_CONFIG. */
const INVALID_CONFIG: RefuseAs = { errorName: "INVALID_CONFIG" };

topicConfigRoutes.put(`${T}/configs/:name`, async (c) => {
  const body = parseInput(UpdateConfig, await readJsonObject(c.req.raw, limits.adminRequestBytesMax), INVALID_CONFIG);
  return alter(c, parseInput(ConfigChanges, [{ name: c.req.param("name"), value: body.value }], INVALID_CONFIG), false);
});

// Back to the default value.
topicConfigRoutes.delete(`${T}/configs/:name`, (c) => alter(c, parseInput(ConfigChanges, [{ name: c.req.param("name"), value: null }], INVALID_CONFIG), false));

topicConfigRoutes.post(`${T}/:action{configs:alter}`, async (c) => {
  const body = parseInput(AlterConfigs, await readJsonObject(c.req.raw, limits.adminRequestBytesMax), INVALID_CONFIG);
  return alter(c, body.data, body.validate_only === true);
});
