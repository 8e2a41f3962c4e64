/**
 * Request headers and response framing. A request frame (after its int32
 * size) starts `api_key int16, api_version int16, correlation_id int32,
 * client_id nullable string` (header v1); flexible versions add a
 * tagged-field section (header v2). A response is `size int32,
 * correlation_id int32` (header v0), plus a tagged-field section (header
 * v1) for flexible versions — except ApiVersions, whose responses always
 * use header v0 (KIP-511).
 */
import { ProtocolError, Reader } from "./reader";

/** Bytes of api key, version and correlation id: the least a frame can hold. */
export const FIXED_HEADER_BYTES = 8;

export interface RequestStart {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

/** The fixed start of a request header. Throws `ProtocolError` on a frame too short to have one. */
export function readRequestStart(frame: Uint8Array): RequestStart {
  if (frame.length < FIXED_HEADER_BYTES) throw new ProtocolError(`request of ${frame.length} bytes has no header`);
  const r = new Reader(frame);
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32() };
}

/** A reader at the request body, after the client id (and the header's tagged fields when `flexible`). */
export function readRequestRest(frame: Uint8Array, flexible: boolean): { clientId: string | null; body: Reader } {
  const r = new Reader(frame, FIXED_HEADER_BYTES);
  const clientId = r.nullableString();
  if (flexible) r.skipTaggedFields();
  return { clientId, body: r };
}

/**
 * A whole response: size, correlation id, an empty tagged-field section
 * when `headerV1`, then the body chunks (kept by reference).
 */
export function frameResponse(correlationId: number, body: Uint8Array[], headerV1: boolean): Uint8Array[] {
  const headerBytes = headerV1 ? 9 : 8;
  const size = body.reduce((n, c) => n + c.length, headerBytes - 4);
  const head = new Uint8Array(headerBytes);
  const view = new DataView(head.buffer);
  view.setInt32(0, size);
  view.setInt32(4, correlationId);
  // head[8] stays 0 for header v1: no tagged fields
  return [head, ...body];
}
