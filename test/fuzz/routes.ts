// Every route of the router (from its access rules, which a test keeps complete), made concrete.
import { ACCESS_RULES, type AccessRule } from "../../src/router/access-rules";

/** Values for the path parameters of a concrete route. */
export interface RouteParams {
  c: string;
  t: string;
  p: string;
  g: string;
  i: string;
  k: string;
  b: string;
  name: string;
  principal: string;
}

export const DEFAULT_PARAMS: RouteParams = {
  c: "runnel-local",
  t: "fz-witness",
  p: "0",
  g: "fz-group",
  i: "fz-instance",
  k: "kfz-none",
  b: "0",
  name: "retention.ms",
  principal: "User:fz",
};

/**
 * A path segment for `value`: encoded, except that a lone surrogate becomes
 * a byte sequence that is not UTF-8, and a value starting `raw:` goes in as
 * it is (a malformed escape, as a hostile client could send).
 */
export function segment(value: string): string {
  if (value.startsWith("raw:")) return value.slice(4);
  return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, "\ufffd")).replaceAll("%EF%BF%BD", "%ED%A0%80");
}

/** The route's path with every parameter filled in (an `:action{x}` segment becomes `x`). */
export function concretePath(rule: AccessRule, params: Partial<RouteParams> = {}): string {
  const all = { ...DEFAULT_PARAMS, ...params };
  return rule.path.replace(/:action\{([^}]+)\}/g, "$1").replace(/:([a-z]+)/g, (_, name: string) => segment(all[name as keyof RouteParams] ?? name));
}

/** POSTs that take no body (and so ignore one). */
const BODYLESS = /\/(restart|producer-ids)$/;

/** The routes that take a request body. */
export const BODY_ROUTES: AccessRule[] = ACCESS_RULES.filter((r) => r.method !== "GET" && r.method !== "DELETE" && !BODYLESS.test(r.path));

/** Every route but WebSocket upgrades and fault injection (which would break the objects on purpose). */
export const HTTP_ROUTES: AccessRule[] = ACCESS_RULES.filter((r) => !r.path.startsWith("/ws/") && !r.path.includes("/faults") && !r.path.includes("/restart"));
