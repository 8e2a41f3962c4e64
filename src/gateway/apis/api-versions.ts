/**
 * ApiVersions (key 18), every version Kafka defines (v0–4). v3+ are
 * flexible but, as KIP-511 says, their responses keep response header v0
 * (clients read the error code before they know the version). A version
 * above those served is answered in the v0 layout with UNSUPPORTED_VERSION
 * and the supported ranges (`versionNotServed`), so the client retries
 * with a version it finds there. The ranges are exactly what registry.ts
 * serves.
 */
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { writeApiVersionsResponse } from "../codec/generated/api-versions-response";
import { Writer } from "../codec/writer";
import { type ApiRange, serve } from "./api";

/** KIP-511's rule for software names and versions. */
const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

const ranges = (served: readonly ApiRange[]) => served.map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));

export const apiVersions = serve(apis.ApiVersions, {
  async handle(req, version, ctx) {
    const bad = version >= 3 && !(SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion));
    return { errorCode: bad ? KafkaCode.INVALID_REQUEST : KafkaCode.NONE, apiKeys: ranges(ctx.served) };
  },

  failed(_req, code) {
    return { errorCode: code };
  },
});

/** The body answering an ApiVersions version we do not speak: v0 layout, UNSUPPORTED_VERSION, our ranges. */
export function versionNotServed(served: readonly ApiRange[]): Uint8Array {
  const w = new Writer();
  writeApiVersionsResponse(w, 0, { errorCode: KafkaCode.UNSUPPORTED_VERSION, apiKeys: ranges(served) });
  return w.toBytes();
}
