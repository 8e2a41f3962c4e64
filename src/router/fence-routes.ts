/**
 * `POST /v3/clusters/{c}/topics/{t}/partitions/{p}/fence` (ext; API.md
 * "Conditional append and fencing"): sets the partition's fencing token,
 * unconditionally — the last fence wins — as a control record in the log
 * (src/replication/fencing.ts), answered once the in-sync replicas hold
 * it. Produce requests carrying `Runnel-Fencing-Token` then succeed only
 * while that token is the current one.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { ErrorCode, errorOf } from "../errors";
import { parseInput } from "../input";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import { markProducedTopic } from "../metrics/count-requests";
import type { FenceOk } from "../replication/types";
import { SetFence } from "./admin-schemas";
import { readJsonObject } from "./body";
import { checkFencingToken } from "./produce-condition";
import { partitionIn } from "./topic-routes";

export const fenceRoutes = new Hono<{ Bindings: Env }>();

fenceRoutes.post("/v3/clusters/:c/topics/:t/partitions/:p/fence", async (c) => {
  const body = parseInput(SetFence, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  const token = checkFencingToken(body.token, "token");
  for (let attempt = 0; ; attempt++) {
    const topic = await topicMeta(c.env, c.req.param("t"));
    markProducedTopic(c, topic.topicName);
    const partition = partitionIn(topic, c.req.param("p"));
    const result = await callLeader<FenceOk>(c.env, topic, partition, (leader) => leader.replica.fence({ topicId: topic.topicId, leaderEpoch: leader.leaderEpoch, token }));
    if (!result.ok && result.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && attempt === 0) {
      forgetTopic(topic.topicName); // the cached topic id may be of a deleted topic: look again once
      continue;
    }
    if (!result.ok) throw errorOf(result);
    return c.json({ token, offset: result.offset });
  }
});
