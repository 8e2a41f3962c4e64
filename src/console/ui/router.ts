/**
 * Pages are addressed by the URL's fragment (`#/topics/orders`), so deep
 * links and the back button work with one server route. Names are
 * percent-encoded segments; nothing secret is ever put in the URL.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "overview" }
  | { page: "topics" }
  | { page: "topic"; topic: string }
  | { page: "messages"; topic: string | null; partition: number | null; offset: number | null }
  | { page: "groups" }
  | { page: "group"; group: string }
  | { page: "subscriptions" }
  | { page: "subscription"; name: string }
  | { page: "access" }
  | { page: "missing"; path: string };

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function intOrNull(value: string | null): number | null {
  if (value === null || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

/** The route a fragment names. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const parts = path.split("/").filter((p) => p !== "");
  const q = new URLSearchParams(query);
  const name = parts[1] === undefined ? null : decoded(parts[1]);
  if (parts.length === 0) return { page: "overview" };
  if (parts[0] === "topics" && parts.length === 1) return { page: "topics" };
  if (parts[0] === "topics" && parts.length === 2 && name !== null) return { page: "topic", topic: name };
  if (parts[0] === "messages" && parts.length <= 2) {
    return { page: "messages", topic: name, partition: intOrNull(q.get("partition")), offset: intOrNull(q.get("offset")) };
  }
  if (parts[0] === "groups" && parts.length === 1) return { page: "groups" };
  if (parts[0] === "groups" && parts.length === 2 && name !== null) return { page: "group", group: name };
  if (parts[0] === "subscriptions" && parts.length === 1) return { page: "subscriptions" };
  if (parts[0] === "subscriptions" && parts.length === 2 && name !== null) return { page: "subscription", name };
  if (parts[0] === "access" && parts.length === 1) return { page: "access" };
  return { page: "missing", path };
}

/** The fragment of a page. */
export const href = {
  overview: () => "#/",
  topics: () => "#/topics",
  topic: (t: string) => `#/topics/${encodeURIComponent(t)}`,
  messages: (t?: string, partition?: number, offset?: number) => {
    const q = new URLSearchParams();
    if (partition !== undefined) q.set("partition", String(partition));
    if (offset !== undefined) q.set("offset", String(offset));
    const query = q.toString();
    return `#/messages${t === undefined ? "" : `/${encodeURIComponent(t)}`}${query === "" ? "" : `?${query}`}`;
  },
  groups: () => "#/groups",
  group: (g: string) => `#/groups/${encodeURIComponent(g)}`,
  subscriptions: () => "#/subscriptions",
  subscription: (s: string) => `#/subscriptions/${encodeURIComponent(s)}`,
  access: () => "#/access",
};

/** Goes to `fragment` (a new history entry). */
export function navigate(fragment: string): void {
  location.hash = fragment;
}

/** The current route, following the fragment. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
