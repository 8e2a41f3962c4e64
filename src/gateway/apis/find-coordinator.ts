/**
 * FindCoordinator (key 10), v0–2: the front door names itself as every
 * group's coordinator (group state lives in the group's coordinator
 * object, which any front door reaches), without asking the Worker. v0 is
 * in the range because librdkafka before 2.11 ties features (LZ4 among
 * them) to it. Transaction coordinators (key type 1) are refused with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which clients treat as final:
 * transactions are not served.
 */
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { BrokerAddress, KafkaApi } from "./api";

const GROUP = 0;
const TRANSACTION = 1;

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export interface FindCoordinatorResponse {
  errorCode: number;
  errorMessage: string | null;
  /** The coordinator, or null with an error. */
  node: BrokerAddress | null;
}

export const findCoordinator: KafkaApi<FindCoordinatorRequest, FindCoordinatorResponse> = {
  key: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 2,

  decode(r: Reader, version: number): FindCoordinatorRequest {
    return { key: r.string(), keyType: version >= 1 ? r.int8() : GROUP };
  },

  async handle(req, _version, ctx) {
    if (req.keyType === TRANSACTION) return refused(KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "transactions are not served");
    if (req.keyType !== GROUP) return refused(KafkaCode.INVALID_REQUEST, `unknown coordinator key type ${req.keyType}`);
    return { errorCode: KafkaCode.NONE, errorMessage: null, node: ctx.self };
  },

  encode(w: Writer, res: FindCoordinatorResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.int16(res.errorCode);
    if (version >= 1) w.string(res.errorMessage);
    w.int32(res.node?.nodeId ?? -1).string(res.node?.host ?? "").int32(res.node?.port ?? -1);
  },

  failed(_req, code) {
    return refused(code, null);
  },
};

function refused(errorCode: number, errorMessage: string | null): FindCoordinatorResponse {
  return { errorCode, errorMessage, node: null };
}
