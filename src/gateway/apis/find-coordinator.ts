/**
 * FindCoordinator (key 10), every version from Kafka 0.9's v0 to v6: the
 * front door names itself as every group's coordinator (group state lives
 * in the group's coordinator object, which any front door reaches),
 * without asking the Worker. From v4 one request names several keys, each
 * answered on its own. Transaction coordinators (key type 1) are refused
 * with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which clients treat as
 * final: transactions are not served; share groups (key type 2) with
 * INVALID_REQUEST, as any other key type.
 */
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { FindCoordinatorResponse } from "../codec/generated/find-coordinator-response";
import type { Init } from "../codec/tagged";
import { type BrokerAddress, serve } from "./api";

const GROUP = 0;
const TRANSACTION = 1;
/** The first version that names several keys. */
const BATCHED_VERSION = 4;

interface Found {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export const findCoordinator = serve(apis.FindCoordinator, {
  async handle(req, version, ctx): Promise<Init<FindCoordinatorResponse>> {
    if (version < BATCHED_VERSION) return find(req.keyType, ctx.self);
    return { coordinators: req.coordinatorKeys.map((key) => ({ key, ...find(req.keyType, ctx.self) })) };
  },

  failed(req, code, version): Init<FindCoordinatorResponse> {
    if (version < BATCHED_VERSION) return refused(code, null);
    return { coordinators: req.coordinatorKeys.map((key) => ({ key, ...refused(code, null) })) };
  },
});

function find(keyType: number, self: BrokerAddress): Found {
  if (keyType === TRANSACTION) return refused(KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "transactions are not served");
  if (keyType !== GROUP) return refused(KafkaCode.INVALID_REQUEST, `coordinator key type ${keyType} is not served`);
  return { errorCode: KafkaCode.NONE, errorMessage: null, nodeId: self.nodeId, host: self.host, port: self.port };
}

function refused(errorCode: number, errorMessage: string | null): Found {
  return { errorCode, errorMessage, nodeId: -1, host: "", port: -1 };
}
