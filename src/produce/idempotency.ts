/**
 * Idempotent produce: a request with an `Idempotency-Key` carries, to each
 * partition it writes, the key and a fingerprint of the whole request
 * (its records and their partitions). A partition that already appended
 * under that key answers with the original offsets instead of appending.
 *
 * Kafka's idempotent producer is the other way in: record batches that
 * carry a producer id handed out by the controller (`producerIdIssued`
 * checks that), an epoch and sequences, checked per partition by its
 * leader (src/log/producer-state.ts). Both kinds of key share the
 * partition's producer-key storage.
 */
import { controllerStub } from "../controller/controller-stub";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { limits } from "../limits";
import type { Placed } from "./producer";

/** Every producer id below this one was handed out (this isolate's last look at the controller's counter). */
let issuedBelow = 0;

/**
 * Refuses (42206 naming UNKNOWN_PRODUCER_ID) a producer id the controller
 * never handed out. Asks the controller only for an id at or above the
 * highest this isolate knows to be issued, so a producer's batches cost
 * one question per isolate.
 */
export async function producerIdIssued(env: Env, producerId: number): Promise<void> {
  if (producerId < issuedBelow) return;
  const { issued } = unwrap(await controllerStub(env).producerIdsIssued());
  issuedBelow = Math.max(issuedBelow, issued);
  if (producerId < issuedBelow) return;
  throw new RunnelError(
    ErrorCode.INVALID_PAYLOAD,
    `UNKNOWN_PRODUCER_ID: producer id ${producerId} was not handed out by this cluster (POST /v3/clusters/{c}/producer-ids gives one); nothing was stored`,
    undefined,
    "UNKNOWN_PRODUCER_ID",
  );
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The request's Idempotency-Key header: undefined when absent, 400 when not 1–255 printable ASCII. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length === 0 || header.length > limits.idempotencyKeyLengthMax || !PRINTABLE_ASCII.test(header)) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `Idempotency-Key must be 1 to ${limits.idempotencyKeyLengthMax} printable ASCII characters`);
  }
  return header;
}

const utf8 = new TextEncoder();

/**
 * SHA-256 (hex) of the request's records as the client gave them: partition,
 * key, value, headers, and the timestamp only when the client set one.
 */
export async function fingerprintOf(records: Placed[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const num = (n: number) => utf8.encode(`${n};`);
  const bytes = (b: Uint8Array | null) => {
    if (b === null) parts.push(num(-1));
    else parts.push(num(b.length), b);
  };
  for (const { partition, record, timestampGiven } of records) {
    parts.push(num(partition), num(timestampGiven ? record.timestampMs : -1));
    bytes(record.key);
    bytes(record.value);
    parts.push(num(record.headers.length));
    for (const h of record.headers) {
      bytes(utf8.encode(h.name));
      bytes(h.value);
    }
  }
  const digest = await crypto.subtle.digest("SHA-256", await new Blob(parts).arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
