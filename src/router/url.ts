import type { Context, MiddlewareHandler } from "hono";
import { ErrorCode, RunnelError } from "../errors";

/** The scheme and host the client used, for `metadata.self` links. */
export function baseUrl(c: Context): string {
  return new URL(c.req.url).origin;
}

/**
 * A path whose percent-escapes do not decode (`%zz`, a cut-off escape, or
 * bytes that are not UTF-8) is a 400 before any route sees it: decoders
 * disagree about such paths (the router leaves them as they are, others
 * throw), so no name may be made of one.
 */
export const refuseMalformedPath: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  const path = start < 0 ? "" : url.slice(start, end < 0 ? undefined : end);
  if (path.includes("%")) {
    try {
      decodeURIComponent(path);
    } catch {
      throw new RunnelError(ErrorCode.BAD_REQUEST, "the path holds a percent-escape that is not UTF-8");
    }
  }
  await next();
};
