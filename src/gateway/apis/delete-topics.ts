/**
 * DeleteTopics (key 20), v0–3 (v2 and v3 have v1's layout):
 * `DELETE /v3/clusters/{c}/topics/{t}` per topic. A topic that does not
 * exist is UNKNOWN_TOPIC_OR_PARTITION, as in Kafka; a principal without
 * DELETE on it is answered TOPIC_AUTHORIZATION_FAILED, as Kafka answers it.
 */
import { BackendError } from "../backend/runnel-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { each, type KafkaApi } from "./api";

export interface DeleteTopicsRequest {
  names: string[];
}

export interface DeleteTopicsResponse {
  topics: { name: string; errorCode: number }[];
}

export const deleteTopics: KafkaApi<DeleteTopicsRequest, DeleteTopicsResponse> = {
  key: 20,
  name: "DeleteTopics",
  minVersion: 0,
  maxVersion: 3,

  decode(r: Reader): DeleteTopicsRequest {
    const names = r.array((r) => r.string());
    r.int32(); // timeout_ms: deletion answers when done
    return { names };
  },

  async handle(req, _version, ctx) {
    return {
      topics: await each(req.names, async (name) => {
        try {
          await ctx.api.deleteTopic(name);
          return { name, errorCode: KafkaCode.NONE };
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          return { name, errorCode: e.kafkaCode }; // a denial is TOPIC_AUTHORIZATION_FAILED, as the Worker names it
        }
      }),
    };
  },

  encode(w: Writer, res: DeleteTopicsResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.array(res.topics, (w, t) => w.string(t.name).int16(t.errorCode));
  },

  failed(req, code) {
    return { topics: req.names.map((name) => ({ name, errorCode: code })) };
  },
};
