/** One stateless fetch of a partition (API.md "Fetch"), decoded as a consumer would. */
import { RunnelError } from "./errors";
import { seg, type Http } from "./http";
import type { WireRecord } from "./consumer-state";
import { type ConsumerRecord, decodeRecord, type Format } from "./serde";

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

/** Records of `partition` from `offset` (inclusive), below the high watermark; 41601 outside [log start, high watermark]. */
export async function fetchRecords(http: Http, clusterPath: string, topic: string, partition: number, offset: number, options: FetchOptions = {}): Promise<Fetched> {
  const format = options.format ?? "string";
  if (!["string", "json", "binary"].includes(format)) throw new RunnelError(400, `format must be string, json or binary, got '${format}'`);
  const q = new URLSearchParams({ offset: String(offset), format: format === "binary" ? "binary" : "string" });
  if (options.maxBytes !== undefined) q.set("max_bytes", String(options.maxBytes));
  if (options.timeoutMs !== undefined) q.set("timeout_ms", String(options.timeoutMs));
  const path = `${clusterPath}/topics/${seg(topic)}/partitions/${partition}/records?${q}`;
  const body = await http.json<{ records: WireRecord[]; next_offset: number; high_watermark: number; log_start_offset: number }>({ path, timeoutMs: 60_000 + (options.timeoutMs ?? 0) });
  return {
    records: body.records.map((r) => decodeRecord(r, format)),
    nextOffset: body.next_offset,
    highWatermark: body.high_watermark,
    logStartOffset: body.log_start_offset,
  };
}
