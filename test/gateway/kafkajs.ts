// kafkajs 2.2.4's own protocol code, as an independent implementation to
// check the front door's codec against: its request encoders make the
// bytes a real client sends, its response decoders read what we answer.
import { createRequire } from "node:module";
import type { KafkaApi } from "../../src/gateway/apis/api";
import { readRequestRest, readRequestStart } from "../../src/gateway/codec/frame";
import { requestHeaderVersion } from "../../src/gateway/codec/generated";
import type { Init } from "../../src/gateway/codec/tagged";
import { Reader } from "../../src/gateway/codec/reader";
import { Writer } from "../../src/gateway/codec/writer";

const require = createRequire(import.meta.url);
const Request = require("kafkajs/src/protocol/request.js");

/** kafkajs's request and response codec of one API version (`name` as in kafkajs/src/protocol/requests/). */
function versionOf(name: string, version: number, args: unknown) {
  const api = require(`kafkajs/src/protocol/requests/${name}/index.js`);
  const made = api.protocol({ version })(args);
  if (made === undefined) throw new Error(`kafkajs has no ${name} v${version}`);
  return made as { request: { apiKey: number; apiVersion: number }; response: { decode(b: Buffer): Promise<any> } };
}

/** The whole request frame (size prefix included) kafkajs sends for `name` v`version` with `args`. */
export async function kafkajsRequest(name: string, version: number, args: unknown, correlationId = 7, clientId = "kafkajs-test"): Promise<Buffer> {
  const { request } = versionOf(name, version, args);
  const encoder = await Request({ correlationId, clientId, request });
  return encoder.buffer as Buffer;
}

/** Decodes a request frame (size prefix included) with our codec, checking the header and that nothing is left over. */
export function ourDecode<Req>(api: KafkaApi<Req>, frame: Uint8Array): { req: Req; clientId: string | null; correlationId: number; version: number } {
  const body = frame.subarray(4);
  const start = readRequestStart(body);
  if (start.apiKey !== api.key) throw new Error(`key ${start.apiKey}, expected ${api.key}`);
  const rest = readRequestRest(body, requestHeaderVersion(start.apiKey, start.apiVersion));
  const req = api.messages.readRequest(rest.body, start.apiVersion);
  if (rest.body.remaining !== 0) throw new Error(`${rest.body.remaining} bytes left over`);
  return { req, clientId: rest.clientId, correlationId: start.correlationId, version: start.apiVersion };
}

/** Encodes our response body and decodes it with kafkajs's decoder of the same version. */
export async function kafkajsReads<Res>(api: KafkaApi<any, Res>, name: string, version: number, res: Init<Res>, args: unknown = {}): Promise<any> {
  const w = new Writer();
  api.messages.writeResponse(w, version, res);
  const { response } = versionOf(name, version, args);
  return response.decode(Buffer.from(w.toBytes()));
}

/** Our encoding of a response body, as bytes. */
export function ourEncode<Res>(api: KafkaApi<any, Res>, res: Init<Res>, version: number): Uint8Array {
  const w = new Writer();
  api.messages.writeResponse(w, version, res);
  return w.toBytes();
}

export const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
export const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A whole request of `api` at `version` as the generated decoder gives it, from the fields given (the rest at their defaults). */
export function requestOf<Req>(api: KafkaApi<Req>, version: number, fields: Init<Req>): Req {
  const w = new Writer();
  api.messages.writeRequest(w, version, fields);
  return api.messages.readRequest(new Reader(w.toBytes()), version);
}
