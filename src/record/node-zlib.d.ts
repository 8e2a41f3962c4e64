// The slice of node:zlib the codecs use. workerd implements it natively
// under the nodejs_compat flag; the Worker's types leave Node's out.
declare module "node:zlib" {
  interface ZlibOptions {
    /** Fails with a RangeError once the output would pass this many bytes. */
    maxOutputLength?: number;
    params?: Record<number, number>;
    /** zstd: the input's size, written into the frame header as its content size. */
    pledgedSrcSize?: number;
  }
  interface ZstdCompress {
    on(event: "data", listener: (chunk: Uint8Array) => void): this;
    on(event: "error", listener: (error: Error) => void): this;
    on(event: "end", listener: () => void): this;
    write(chunk: Uint8Array): boolean;
    flush(kind: number, callback: () => void): void;
    end(): void;
  }
  export function gzipSync(data: Uint8Array, options?: ZlibOptions): Uint8Array;
  export function gunzipSync(data: Uint8Array, options?: ZlibOptions): Uint8Array;
  export function zstdDecompressSync(data: Uint8Array, options?: ZlibOptions): Uint8Array;
  export function createZstdCompress(options?: ZlibOptions): ZstdCompress;
  export const constants: {
    ZSTD_c_compressionLevel: number;
    ZSTD_e_flush: number;
  };
}
