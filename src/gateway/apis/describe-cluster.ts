/**
 * DescribeCluster (key 60), every version Kafka defines (v0–2): the
 * cluster as Metadata shows it — the Worker's cluster id, and the front
 * door itself as the one broker and the controller (never fenced). Asked
 * for controllers (v1+ endpoint type 2), it answers MISMATCHED_ENDPOINT_TYPE,
 * as a Kafka broker does. Authorized operations are not computed (Kafka's
 * "not asked" value).
 */
import { apis } from "../codec/generated";
import { KafkaCode } from "../errors";
import { serve } from "./api";
import { refusalOf } from "./refusal";

/** Kafka's endpoint types, and the error for a request meant for the other kind. */
const BROKERS = 1;
const MISMATCHED_ENDPOINT_TYPE = 114;
/** Kafka's "authorized operations not asked for". */
const NOT_COMPUTED = -2147483648;

export const describeCluster = serve(apis.DescribeCluster, {
  async handle(req, _version, ctx) {
    if (req.endpointType !== BROKERS) {
      return { errorCode: MISMATCHED_ENDPOINT_TYPE, errorMessage: "the request was sent to an endpoint of type BROKER, but asked for another type", endpointType: BROKERS };
    }
    try {
      const clusterId = await ctx.api.clusterId();
      const brokers = [{ brokerId: ctx.self.nodeId, host: ctx.self.host, port: ctx.self.port, rack: null, isFenced: false }];
      return { errorCode: KafkaCode.NONE, errorMessage: null, endpointType: BROKERS, clusterId, controllerId: ctx.self.nodeId, brokers, clusterAuthorizedOperations: NOT_COMPUTED };
    } catch (e) {
      return { ...refusalOf(e), endpointType: BROKERS, controllerId: -1 };
    }
  },

  failed(_req, code) {
    return { errorCode: code, errorMessage: null, endpointType: BROKERS, controllerId: -1 };
  },
});
