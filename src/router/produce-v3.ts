/**
 * v3 produce, `POST /v3/clusters/{c}/topics/{t}/records`: one record
 * object, or several concatenated.
 *
 * A body whose length is known (`Content-Length`) is read whole: one
 * record is answered with its report, or its error's status; several get
 * one report line each (JSON objects, one a line, as Confluent's
 * `application/json` answer). A body that streams (chunked, no length) is
 * answered while it arrives, as Confluent's streaming produce is: a 200
 * whose body carries one report line per record, written as soon as the
 * record is appended — each chunk's complete records are appended
 * together. Errors then travel in the report lines. With an
 * `Idempotency-Key` or a condition (`?expected_offset=`,
 * `Runnel-Fencing-Token`) the body is read whole, as the key or the
 * condition covers the whole request.
 */
import { drain } from "../bytes/read-bounded";
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import { topicMeta } from "../metadata/topic-cache";
import { parseV3Record } from "../produce/parse-v3";
import { bugBody } from "../rpc/boundary";
import { readText } from "./body";
import { JsonValueSplitter, parseJson, splitJsonValues } from "../bytes/json-text";
import { requestIdOf } from "./on-error";
import { tooManyRecords, type Entry } from "../produce/produce-run";
import { FENCING_TOKEN_HEADER } from "./produce-condition";
import { produceFor, requireJson, v3Report, type C } from "./produce-request";

// Confluent answers report lines as application/json (its clients read that type: Confluent's Go SDK refuses any other).
const REPORTS = "application/json";

/** The handler of `POST /v3/clusters/{c}/topics/{t}/records`. */
export async function produceV3(c: C): Promise<Response> {
  requireJson(c);
  const body = c.req.raw.body;
  if (body !== null && !c.req.raw.headers.has("content-length") && !wholeRequest(c)) {
    await topicMeta(c.env, c.req.param("t")!); // an unknown topic is a plain 404 before any streaming
    return streamed(c, body);
  }
  const texts = splitJsonValues(await readText(c.req.raw, limits.produceRequestBytesMax));
  // Confluent's answer to an empty body: 422, error_code 422 (its RestConstraintViolationExceptionMapper).
  if (texts.length === 0) throw new RunnelError(ErrorCode.UNPROCESSABLE, "Request body is empty. Data is required.", undefined, "INVALID_REQUEST");
  if (texts.length > limits.produceRecordsMax) throw tooManyRecords(texts.length);
  const values = texts.map((t) => parseJson(t, true));
  const nowMs = Date.now();
  const entries = values.map((v) => parseV3Record(v, nowMs));
  if (entries.length === 1) {
    const only = entries[0]!;
    if (!only.ok) throw new RunnelError(ErrorCode.INVALID_PAYLOAD, only.problem, undefined, "INVALID_RECORD");
    const { topic, outcomes } = await produceFor(c, { topicName: c.req.param("t")!, entries, requestTimeMs: nowMs, atomic: true });
    const o = outcomes[0]!;
    if (!o.ok) throw new RunnelError(o.error_code, o.message, undefined, o.error_name ?? null);
    return c.json(v3Report(c, topic, o, only));
  }
  const { topic, outcomes } = await produceFor(c, { topicName: c.req.param("t")!, entries, requestTimeMs: nowMs, atomic: false });
  const lines = outcomes.map((o, i) => JSON.stringify(v3Report(c, topic, o, entries[i]))).join("\n");
  return c.body(`${lines}\n`, 200, { "content-type": REPORTS });
}

/** Whether the request must be read whole: an Idempotency-Key or a condition covers all its records. */
function wholeRequest(c: C): boolean {
  const h = c.req.raw.headers;
  return h.has("idempotency-key") || h.has(FENCING_TOKEN_HEADER) || c.req.query("expected_offset") !== undefined;
}

/** Answers a streaming body: report lines flow out while records flow in. */
function streamed(c: C, body: ReadableStream<Uint8Array>): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  c.executionCtx.waitUntil(pump(c, body.getReader(), writer));
  return c.body(readable, 200, { "content-type": REPORTS });
}

const utf8 = new TextEncoder();

/** Reads the body chunk by chunk; appends each chunk's complete records and writes their reports. */
async function pump(c: C, reader: ReadableStreamDefaultReader<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  const decoder = new TextDecoder();
  const splitter = new JsonValueSplitter();
  // A client that went away cannot read its reports; its records are appended all the same.
  const send = (lines: unknown[]) => writer.write(utf8.encode(lines.map((l) => `${JSON.stringify(l)}\n`).join(""))).catch(() => {});
  let bytes = 0;
  let records = 0;
  try {
    for (;;) {
      const read = await reader.read().catch(() => null);
      if (read === null) return; // the client broke off its body: nothing more to append or answer
      const { done, value } = read;
      if (done) break;
      bytes += value.length;
      if (bytes > limits.produceRequestBytesMax) throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is over the ${limits.produceRequestBytesMax}-byte limit`);
      const texts = splitter.push(decoder.decode(value, { stream: true }));
      records += texts.length;
      if (records > limits.produceRecordsMax) throw tooManyRecords(records);
      if (texts.length > 0) await send(await appendAll(c, texts));
    }
    const last = splitter.push(decoder.decode());
    if (records + last.length > limits.produceRecordsMax) throw tooManyRecords(records + last.length);
    if (last.length > 0) await send(await appendAll(c, last));
    if (splitter.end().trim() !== "") await send([new RunnelError(ErrorCode.BAD_REQUEST, "malformed JSON: the body ends inside a record").body()]);
  } catch (e) {
    // A bug: logged once, and the client's last line names it and the request id instead of the internal text.
    if (e instanceof RunnelError && e.errorCode !== ErrorCode.INTERNAL) await send([e.body()]);
    else await send([bugBody(e, `${c.req.method} ${c.req.routePath}`, requestIdOf(c))]);
    // Nothing more is appended; the rest of the body is read and dropped so the client, still sending, gets its reports.
    await drain(reader, limits.refusedBodyDrainBytesMax);
  } finally {
    await writer.close().catch(() => {}); // the client may have gone already
  }
}

/** Appends one chunk's records; one report (or error body) per record, in order. */
async function appendAll(c: C, texts: string[]): Promise<unknown[]> {
  const nowMs = Date.now();
  const entries: Entry[] = texts.map((t) => {
    try {
      return parseV3Record(JSON.parse(t), nowMs);
    } catch (e) {
      return { ok: false, problem: `malformed JSON: ${(e as Error).message}` };
    }
  });
  try {
    const { topic, outcomes } = await produceFor(c, { topicName: c.req.param("t")!, entries, requestTimeMs: nowMs, atomic: false });
    return outcomes.map((o, i) => v3Report(c, topic, o, entries[i]));
  } catch (e) {
    if (!(e instanceof RunnelError)) throw e;
    return texts.map(() => e.body()); // refused whole (a record too large, the topic gone): every record says why
  }
}
