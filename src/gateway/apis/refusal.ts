/**
 * A Worker's refusal of one part of an admin request (a topic, a group, an
 * ACL), as the part's error code and message in Kafka's response. Anything
 * but a `BackendError` is a bug, rethrown (the request is then answered
 * with UNKNOWN_SERVER_ERROR as a whole).
 */
import { BackendError } from "../backend/runnel-api";
import { KafkaCode } from "../errors";

export interface Refusal {
  errorCode: number;
  errorMessage: string | null;
}

/** No error. */
export const ACCEPTED: Refusal = { errorCode: KafkaCode.NONE, errorMessage: null };

/** The refusal `e` stands for: its Kafka code (by the Worker's error name) and message. */
export function refusalOf(e: unknown): Refusal {
  if (!(e instanceof BackendError)) throw e;
  return { errorCode: e.kafkaCode, errorMessage: e.message };
}

/** Runs `work`: ACCEPTED when it succeeds, else the Worker's refusal. */
export async function outcome(work: () => Promise<unknown>): Promise<Refusal> {
  try {
    await work();
    return ACCEPTED;
  } catch (e) {
    return refusalOf(e);
  }
}
