/**
 * Request headers and response framing, by the generated header codecs.
 * A request frame (after its int32 size) starts `api_key int16,
 * api_version int16, correlation_id int32` and then, by the header
 * version the API version calls for (`requestHeaderVersion`), the client
 * id (v1+) and a tagged-field section (v2, flexible versions). A response
 * is `size int32`, then its header (`responseHeaderVersion`: v1 adds a
 * tagged-field section; ApiVersions always uses v0, KIP-511), then the body.
 */
import { readRequestHeader } from "./generated/request-header";
import { writeResponseHeader } from "./generated/response-header";
import { ProtocolError, Reader } from "./reader";
import { Writer } from "./writer";

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

/** The whole request header (of `headerVersion`) and a reader at the body after it. Throws `ProtocolError`. */
export function readRequestRest(frame: Uint8Array, headerVersion: number): { clientId: string | null; body: Reader } {
  const r = new Reader(frame);
  const header = readRequestHeader(r, headerVersion);
  return { clientId: headerVersion === 0 ? null : header.clientId, body: r };
}

/** The response header of version 0 and 1 as the generated codec writes it, for a correlation id of 0. */
const HEADERS = [0, 1].map((v) => {
  const w = new Writer();
  writeResponseHeader(w, v, { correlationId: 0 });
  return w.toBytes();
});

/**
 * A whole response: size, its header of `headerVersion` (0 or 1), then the
 * body chunks (kept by reference). Every response takes this path, so the
 * header is the generated one's bytes with the correlation id set in place.
 */
export function frameResponse(correlationId: number, body: Uint8Array[], headerVersion: number): Uint8Array[] {
  const header = HEADERS[headerVersion];
  if (header === undefined) throw new Error(`response header v${headerVersion} is not Kafka's`);
  const head = new Uint8Array(4 + header.length);
  head.set(header, 4);
  const view = new DataView(head.buffer);
  view.setInt32(0, body.reduce((n, c) => n + c.length, header.length));
  view.setInt32(4, correlationId);
  return [head, ...body];
}
