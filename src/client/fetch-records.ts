/**
 * One stateless fetch of a partition (API.md "Fetch"), decoded as a
 * consumer would. It reads the stored record batches as they are
 * (API.md "Record batches over HTTP") and decodes them here
 * (batch-decode.ts), so the server renders neither JSON nor base64.
 */
import { decodeBatches } from "./batch-decode";
import { RunnelError } from "./errors";
import { seg, type Http } from "./http";
import { type ConsumerRecord, type Format, recordOfBatch } from "./serde";

/** The media type of concatenated Kafka record batches. */
const RECORD_BATCH_TYPE = "application/vnd.kafka.record-batch";

export interface FetchOptions {
  /** Stop adding batches past this many bytes (default 1 MiB; at least one batch comes back). */
  maxBytes?: number;
  /** Wait this long at the high watermark for new records (default 0, at most 30,000). */
  timeoutMs?: number;
  /** How keys and values are shown (default "string"). */
  format?: Format;
}

export interface Fetched {
  records: ConsumerRecord[];
  /** Where the next fetch starts. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

/**
 * Records of `partition` from `offset` (inclusive), below the high
 * watermark; 41601 outside [log start, high watermark]. Records of the
 * first batch before `offset` are skipped. Under format "json" a value
 * that is not JSON fails the whole fetch with 42206 naming its offset; a
 * batch that does not decode (or decompresses past
 * `limits.batchDecompressedBytesMax`) fails it with 50001.
 */
export async function fetchRecords(http: Http, clusterPath: string, topic: string, partition: number, offset: number, options: FetchOptions = {}): Promise<Fetched> {
  const format = options.format ?? "string";
  if (!["string", "json", "binary"].includes(format)) throw new RunnelError(400, `format must be string, json or binary, got '${format}'`);
  const q = new URLSearchParams({ offset: String(offset) });
  if (options.maxBytes !== undefined) q.set("max_bytes", String(options.maxBytes));
  if (options.timeoutMs !== undefined) q.set("timeout_ms", String(options.timeoutMs));
  const path = `${clusterPath}/topics/${seg(topic)}/partitions/${partition}/batches?${q}`;
  const res = await http.raw({ path, headers: { accept: RECORD_BATCH_TYPE }, timeoutMs: 60_000 + (options.timeoutMs ?? 0) });
  const body = new Uint8Array(await res.arrayBuffer());
  const decoded = await decodeBatches(body, offset);
  return {
    records: decoded.map((r) => recordOfBatch(topic, partition, r, format)),
    nextOffset: offsetHeader(res, "runnel-next-offset"),
    highWatermark: offsetHeader(res, "runnel-high-watermark"),
    logStartOffset: offsetHeader(res, "runnel-log-start-offset"),
  };
}

/** An offset the batches endpoint answers in a header; a RunnelError when it is missing or not an offset. */
function offsetHeader(res: Response, name: string): number {
  const text = res.headers.get(name);
  const value = text === null || text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RunnelError(500, `the record-batch answer has no valid ${name} header (got ${text === null ? "none" : `'${text}'`}): is the server older than the client?`, res.status);
  }
  return value;
}
