/**
 * ApiVersions (key 18), v0–3. v3 is flexible (request header v2, compact
 * arrays, tagged fields) but, as KIP-511 says, its response keeps
 * response header v0 — clients read the error code before they know the
 * version. A version above 3 is answered in the v0 layout with
 * UNSUPPORTED_VERSION and the supported ranges (`versionNotServed`), so
 * librdkafka retries with a version it finds there.
 */
import type { Reader } from "../codec/reader";
import { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { ApiRange, KafkaApi } from "./api";

export interface ApiVersionsRequest {
  /** v3+: the client's software name and version (KIP-511). */
  clientSoftwareName: string | null;
  clientSoftwareVersion: string | null;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: readonly ApiRange[];
  throttleTimeMs: number;
}

/** KIP-511's rule for software names and versions. */
const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersions: KafkaApi<ApiVersionsRequest, ApiVersionsResponse> = {
  key: 18,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,

  decode(r: Reader, version: number): ApiVersionsRequest {
    if (version < 3) return { clientSoftwareName: null, clientSoftwareVersion: null };
    const clientSoftwareName = r.compactString();
    const clientSoftwareVersion = r.compactString();
    r.skipTaggedFields();
    return { clientSoftwareName, clientSoftwareVersion };
  },

  async handle(req, version, ctx) {
    const bad = version >= 3 && !(SOFTWARE.test(req.clientSoftwareName ?? "") && SOFTWARE.test(req.clientSoftwareVersion ?? ""));
    return { errorCode: bad ? KafkaCode.INVALID_REQUEST : KafkaCode.NONE, apiKeys: ctx.served, throttleTimeMs: 0 };
  },

  encode(w: Writer, res: ApiVersionsResponse, version: number): void {
    w.int16(res.errorCode);
    if (version >= 3) {
      w.compactArray(res.apiKeys, (w, a) => w.int16(a.key).int16(a.minVersion).int16(a.maxVersion).noTaggedFields());
      w.int32(res.throttleTimeMs).noTaggedFields();
      return;
    }
    w.array(res.apiKeys, (w, a) => w.int16(a.key).int16(a.minVersion).int16(a.maxVersion));
    if (version >= 1) w.int32(res.throttleTimeMs);
  },

  failed(_req, code) {
    return { errorCode: code, apiKeys: [], throttleTimeMs: 0 };
  },
};

/** The body answering an ApiVersions version we do not speak: v0 layout, UNSUPPORTED_VERSION, our ranges. */
export function versionNotServed(served: readonly ApiRange[]): Uint8Array {
  const w = new Writer();
  apiVersions.encode(w, { errorCode: KafkaCode.UNSUPPORTED_VERSION, apiKeys: served, throttleTimeMs: 0 }, 0);
  return w.toBytes();
}
