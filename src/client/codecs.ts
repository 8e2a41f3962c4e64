/// <reference path="../record/lz4js.d.ts" />
/**
 * Compression of a batch's records section on the client, with what each
 * runtime has: gzip through the standard CompressionStream (Node 18+,
 * browsers, Workers); snappy and lz4 through Runnel's own pure-JavaScript
 * codecs (src/record/, over snappyjs and lz4js), loaded only when used;
 * zstd only where the runtime has it natively (Node 22.15+ and 20.19+,
 * through `process.getBuiltinModule`, so no `node:` import is in the
 * client), else a clear error when the producer is made.
 */
import { Compression } from "../record/record-batch";
import { RunnelError } from "./errors";

/** A producer's `compression`: Kafka's codec names ("none" for uncompressed). */
export type CompressionName = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** The attributes code of each codec. */
export const CODEC_CODES: Record<CompressionName, number> = {
  none: Compression.NONE,
  gzip: Compression.GZIP,
  snappy: Compression.SNAPPY,
  lz4: Compression.LZ4,
  zstd: Compression.ZSTD,
};

type Compress = (bytes: Uint8Array) => Promise<Uint8Array>;

interface ZlibWithZstd {
  zstdCompressSync?: (data: Uint8Array, options?: { params?: Record<number, number> }) => Uint8Array;
  constants?: { ZSTD_c_compressionLevel?: number };
}

/** The runtime's native zstd, or null when it has none. */
function nativeZstd(): Compress | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = proc?.getBuiltinModule?.("zlib") as ZlibWithZstd | undefined;
  const compress = zlib?.zstdCompressSync;
  const level = zlib?.constants?.ZSTD_c_compressionLevel;
  if (compress === undefined || level === undefined) return null;
  // Kafka's default level, 3.
  return async (bytes) => {
    const out = compress(bytes, { params: { [level]: 3 } });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The compressor for `name`; throws a `RunnelError` (400) for an unknown codec or zstd where the runtime lacks it. */
export function compressorFor(name: CompressionName): Compress | null {
  switch (name) {
    case "none":
      return null;
    case "gzip":
      if (typeof CompressionStream !== "function") throw new RunnelError(400, "gzip needs CompressionStream, which this runtime lacks");
      return gzip;
    case "snappy":
      return async (bytes) => (await import("../record/snappy")).snappyCompress(bytes);
    case "lz4":
      return async (bytes) => (await import("../record/lz4-write")).lz4Compress(bytes);
    case "zstd": {
      const zstd = nativeZstd();
      if (zstd === null) throw new RunnelError(400, "zstd compression needs a runtime with native zstd (Node 22.15+ or 20.19+); use gzip, snappy or lz4 here");
      return zstd;
    }
    default:
      throw new RunnelError(400, `compression must be none, gzip, snappy, lz4 or zstd, got '${String(name)}'`);
  }
}
