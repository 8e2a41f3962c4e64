/**
 * The Kafka front door's own limits, unit last. What the Worker accepts
 * (record and fetch sizes, waits) is in src/limits.ts and is checked
 * there; these bound what one client connection can make this process do.
 */
import { limits } from "../limits";

export const gatewayLimits = {
  /** Largest request frame (the size prefix); a larger one closes the connection. Kafka's socket.request.max.bytes is 100 MiB. */
  requestBytesMax: 32 * 1024 * 1024,
  /** Requests one connection may have in flight; past this the front door stops reading from it until responses are written. */
  inflightRequestsMax: 64,
  /** Request bytes one connection may have in flight (at least one request always is); past this it stops reading, as above. */
  inflightBytesMax: 64 * 1024 * 1024,
  /** A connection with no bytes either way for this long is closed (Kafka's connections.max.idle.ms). */
  connectionIdleMsMax: 10 * 60 * 1000,
  /** Longest a Fetch may wait (Kafka's max_wait_ms is capped to this, which is the Worker's own bound). */
  fetchWaitMsMax: limits.fetchWaitMsMax,
  /** Most bytes one partition's batches may bring into a Fetch response (the Worker's fetch bound). */
  fetchPartitionBytesMax: limits.fetchBytesMax,
  /** Extra time an HTTP call to the Worker gets beyond the wait it asks the Worker for. */
  httpSlackMs: 10_000,
  /** Timeout of an HTTP call that does not wait on purpose (metadata, admin). */
  httpTimeoutMs: 30_000,
  /** Largest SASL/PLAIN token (user name and password): the Worker's bound on an Authorization header. */
  saslTokenBytesMax: limits.authorizationHeaderLengthMax,
  /** Timeout of a produce call: the Worker's acks=all wait plus slack. */
  produceTimeoutMs: limits.produceAckWaitMsMax + 10_000,
} as const;
