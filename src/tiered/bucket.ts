/**
 * The one way to the segment bucket (R2, bound as `SEGMENTS`), as
 * src/rpc/call.ts is the one way to another object: a call never throws;
 * it answers its result or a `Failure`, sorted two ways:
 *
 * - Gone: what was asked for does not exist (no such key, no such
 *   multipart upload: R2's codes 10007 and 10024). `isGone` says so; the
 *   caller decides what that means (an upload to start again, a delete
 *   already done).
 * - Anything else — R2 refusing, overloaded, not answering within
 *   `limits.remoteCallMsMax` — is a retriable 50003 named
 *   KAFKA_STORAGE_ERROR: the caller retries later (an upload from the
 *   alarm, a read by the client). Never a silent drop: the owner of the
 *   retry counts it and logs one line per run of failures.
 */
import { ErrorCode, failure, isFailure, retriable, type Failure } from "../errors";
import { limits } from "../limits";

type Ok = { ok: true };

/** R2's error codes that mean "it does not exist". */
const GONE_CODES = ["10007", "10024"];

/** An object as a listing shows it. */
export interface ListedObject {
  key: string;
  sizeBytes: number;
  /** When it was written (epoch ms). */
  uploadedMs: number;
}

/** Whether `f` says the key or the multipart upload does not exist. */
export function isGone(f: Failure): boolean {
  return f.error_code === ErrorCode.NOT_FOUND;
}

export class Bucket {
  /** `r2`: the bound bucket; `timeoutMs`: how long one call may take. */
  constructor(
    private readonly r2: R2Bucket,
    private readonly timeoutMs: number = limits.remoteCallMsMax,
  ) {}

  /** Writes the bytes of `parts`, in order, as `key` in one request; answers the stored size. */
  put(key: string, parts: Uint8Array[]): Promise<({ ok: true; sizeBytes: number }) | Failure> {
    return this.#call("put", key, async () => {
      const stored = await this.r2.put(key, streamOf(parts));
      return stored === null ? unavailable("put", key, "the bucket stored nothing") : { ok: true, sizeBytes: stored.size };
    });
  }

  /** Starts a multipart upload of `key`; answers its upload id. */
  createUpload(key: string): Promise<({ ok: true; uploadId: string }) | Failure> {
    return this.#call("createMultipartUpload", key, async () => ({ ok: true, uploadId: (await this.r2.createMultipartUpload(key)).uploadId }));
  }

  /** Uploads the bytes of `parts`, in order, as part `partNumber` (from 1) of a multipart upload; answers its etag. */
  uploadPart(key: string, uploadId: string, partNumber: number, parts: Uint8Array[]): Promise<({ ok: true; etag: string }) | Failure> {
    return this.#call("uploadPart", key, async () => {
      const part = await this.r2.resumeMultipartUpload(key, uploadId).uploadPart(partNumber, streamOf(parts));
      return { ok: true, etag: part.etag };
    });
  }

  /** Completes a multipart upload from its parts (in order); answers the object's size. */
  complete(key: string, uploadId: string, parts: R2UploadedPart[]): Promise<({ ok: true; sizeBytes: number }) | Failure> {
    return this.#call("complete", key, async () => ({ ok: true, sizeBytes: (await this.r2.resumeMultipartUpload(key, uploadId).complete(parts)).size }));
  }

  /** Aborts a multipart upload; one that no longer exists counts as aborted. */
  async abort(key: string, uploadId: string): Promise<Ok | Failure> {
    const r = await this.#call<Ok>("abort", key, async () => {
      await this.r2.resumeMultipartUpload(key, uploadId).abort();
      return { ok: true };
    });
    return isFailure(r) && isGone(r) ? { ok: true } : r;
  }

  /** `length` bytes of `key` from byte `offset`; gone when the object does not exist. */
  getRange(key: string, offset: number, length: number): Promise<({ ok: true; bytes: Uint8Array }) | Failure> {
    return this.#call("get", key, async () => {
      const body = await this.r2.get(key, { range: { offset, length } });
      if (body === null) return gone(`segment object ${key} does not exist`);
      return { ok: true, bytes: new Uint8Array(await body.arrayBuffer()) };
    });
  }

  /** The size of `key`, or null when it does not exist. */
  head(key: string): Promise<({ ok: true; sizeBytes: number | null }) | Failure> {
    return this.#call("head", key, async () => ({ ok: true, sizeBytes: (await this.r2.head(key))?.size ?? null }));
  }

  /** One page (up to 1,000) of the objects under `prefix`, from `cursor`; the next page's cursor, or null at the end. */
  list(prefix: string, cursor: string | null): Promise<({ ok: true; objects: ListedObject[]; cursor: string | null }) | Failure> {
    return this.#call("list", prefix, async () => {
      const page = await this.r2.list({ prefix, limit: 1000, ...(cursor === null ? {} : { cursor }) });
      const objects = page.objects.map((o) => ({ key: o.key, sizeBytes: o.size, uploadedMs: o.uploaded.getTime() }));
      return { ok: true, objects, cursor: page.truncated ? page.cursor : null };
    });
  }

  /** Deletes up to 1,000 keys at once; keys that do not exist count as deleted. */
  delete(keys: string[]): Promise<Ok | Failure> {
    return this.#call("delete", keys[0] ?? "", async () => {
      if (keys.length > 0) await this.r2.delete(keys);
      return { ok: true };
    });
  }

  /** Runs one R2 call within the time limit: its result, gone, or a retriable failure. */
  async #call<R extends Ok>(what: string, key: string, work: () => Promise<R | Failure>): Promise<R | Failure> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<Failure>((resolve) => {
      timer = setTimeout(() => resolve(unavailable(what, key, `no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work(), late]);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      return GONE_CODES.some((code) => text.includes(`(${code})`)) ? gone(`${what} ${key}: ${text}`) : unavailable(what, key, text);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The bytes of `parts` as a stream of known length: sent as they are, never joined into one copy first. */
function streamOf(parts: Uint8Array[]): ReadableStream {
  const { readable, writable } = new FixedLengthStream(parts.reduce((n, p) => n + p.length, 0));
  const writer = writable.getWriter();
  void (async () => {
    for (const p of parts) await writer.write(p);
    await writer.close();
  })().catch(() => writer.abort().catch(() => undefined)); // the put sees the stream fail
  return readable;
}

function gone(message: string): Failure {
  return failure(ErrorCode.NOT_FOUND, message, null);
}

function unavailable(what: string, key: string, detail: string): Failure {
  return retriable("KAFKA_STORAGE_ERROR", `the segment bucket failed ${what} of ${key}: ${detail}`);
}
