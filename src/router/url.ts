import type { Context } from "hono";

/** The scheme and host the client used, for `metadata.self` links. */
export function baseUrl(c: Context): string {
  return new URL(c.req.url).origin;
}
