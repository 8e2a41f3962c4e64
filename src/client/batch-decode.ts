/// <reference path="../record/lz4js.d.ts" />
/**
 * Decoding fetched record batches (API.md "Record batches over HTTP") on
 * the client, so the server sends stored bytes as they are. Codecs use
 * what every runtime the client supports has, and never a `node:` module:
 * gzip through the standard DecompressionStream; snappy, lz4 and zstd
 * through Runnel's own node-free codecs (src/record/; zstd-js.ts decodes
 * zstd with fzstd, pure JavaScript) — each loaded only when a batch
 * needs it. Every records section is bounded by `limits.batchDecompressedBytesMax`: a decompression bomb
 * is a RunnelError, never a hang or an out-of-memory crash. The CRC is
 * not checked again here: the log checked it when the batch was stored,
 * and the bytes come over HTTP's own integrity.
 */
import { joinBytes } from "../bytes/concat";
import { limits } from "../limits";
import { CompressionError, pastLimit } from "../record/codec-support";
import { BATCH_HEADER_BYTES, Compression, compressionOf, type DecodedRecord, decodeRecords, readBatchHeader } from "../record/record-batch";
import { isControlBatch } from "../record/control-records";
import { RunnelError } from "./errors";

/** The error code of a batch that does not decode (API.md's 50001, CORRUPT_MESSAGE). */
const CORRUPT_MESSAGE = 50001;
const MAGIC = 2;

/**
 * The records at or after `fromOffset` in `body` (whole concatenated
 * magic-2 batches, as the batches endpoint answers), in offset order, with
 * timestamps by each batch's timestamp type. Throws a RunnelError (50001)
 * naming the batch's offset when a batch is malformed, uses an unknown
 * codec, or decompresses past `outputBytesMax` (default
 * `limits.batchDecompressedBytesMax`, in bytes).
 */
export async function decodeBatches(body: Uint8Array, fromOffset: number, outputBytesMax = limits.batchDecompressedBytesMax): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  for (let at = 0; at < body.length; ) {
    const batch = batchAt(body, at);
    const header = readBatchHeader(batch);
    if (header.magic !== MAGIC) throw corrupt(header.baseOffset, `magic ${header.magic}, expected ${MAGIC}`);
    if (isControlBatch(header)) {
      at += batch.length; // control records (fences) are the log's, never the application's
      continue;
    }
    let records: DecodedRecord[];
    try {
      const section = await decompressSection(compressionOf(header.attributes), batch.subarray(BATCH_HEADER_BYTES), outputBytesMax);
      records = decodeRecords(header, section);
    } catch (e) {
      if (e instanceof RunnelError) throw e;
      throw corrupt(header.baseOffset, (e as Error).message);
    }
    for (const r of records) if (r.offset >= fromOffset) out.push(r);
    at += batch.length;
  }
  return out;
}

/** The 50001 of the batch at `baseOffset`, saying `why`. */
function corrupt(baseOffset: number, why: string): RunnelError {
  return corruptAnswer(`corrupt record batch at offset ${baseOffset}: ${why}`);
}

/** A 50001 CORRUPT_MESSAGE (named as the server names it) about the answer's bytes. */
function corruptAnswer(problem: string): RunnelError {
  return new RunnelError(CORRUPT_MESSAGE, `CORRUPT_MESSAGE: ${problem}`, 0, null, null, "CORRUPT_MESSAGE");
}

/** The whole batch starting at byte `at` of `body`; a 50001 when its framing runs past the body. */
function batchAt(body: Uint8Array, at: number): Uint8Array {
  const left = body.length - at;
  if (left < BATCH_HEADER_BYTES) throw corruptAnswer(`${left} bytes at byte ${at} of the answer are too few for a record batch`);
  const length = new DataView(body.buffer, body.byteOffset + at, 12).getInt32(8);
  const end = at + 12 + length;
  if (end < at + BATCH_HEADER_BYTES || end > body.length) {
    throw corruptAnswer(`the record batch at byte ${at} says it ends at byte ${end} of ${body.length}`);
  }
  return body.subarray(at, end);
}

/** A records section decompressed with the codec `code` (none: the section itself), at most `outputBytesMax` bytes. */
async function decompressSection(code: number, section: Uint8Array, outputBytesMax: number): Promise<Uint8Array> {
  switch (code) {
    case Compression.NONE:
      return section;
    case Compression.GZIP:
      return gunzip(section, outputBytesMax);
    case Compression.SNAPPY:
      return (await import("../record/snappy")).snappyDecompress(section, outputBytesMax);
    case Compression.LZ4:
      return (await import("../record/lz4-read")).lz4Decompress(section, outputBytesMax);
    case Compression.ZSTD:
      return (await import("../record/zstd-js")).zstdDecompressFrames(section, outputBytesMax);
    default:
      throw new CompressionError(`compression codec ${code} is not one of Kafka's (0-4)`);
  }
}

/** gzip through DecompressionStream, read chunk by chunk and cancelled as soon as it passes `outputBytesMax`. */
async function gunzip(bytes: Uint8Array, outputBytesMax: number): Promise<Uint8Array> {
  if (typeof DecompressionStream !== "function") throw new RunnelError(400, "gzip batches need DecompressionStream, which this runtime lacks");
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > outputBytesMax) {
        reader.cancel().catch(() => {}); // the error below says why; the stream's own rejection is moot
        throw pastLimit("gzip", outputBytesMax);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    throw new CompressionError(`gzip records do not decompress: ${(e as Error).message}`);
  }
  return joinBytes(parts, total);
}
