// A webhook receiver for the push tests: a real Worker that Runnel's
// fetches reach (the tests' Miniflare routes the Worker's outbound HTTP
// here). Each path is a hook: `POST /hooks/{id}` records the request
// (headers and the raw body) and answers as the hook's script says;
// `PUT /scripts/{id}` sets the script ({"fail": n, "status", "delayMs",
// "redirect", "body"}: the first n requests answer `status`, optionally
// after `delayMs`, or redirect to `redirect`); `GET /hooks/{id}` lists
// what it received.

/** @type {Map<string, {headers: Record<string, string>, body: string, at: number, answered: number}[]>} */
const received = new Map();
/** @type {Map<string, {fail?: number, status?: number, delayMs?: number, redirect?: string, body?: string}>} */
const scripts = new Map();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const [, kind, id] = url.pathname.split("/");
    if (kind === "scripts" && request.method === "PUT") {
      scripts.set(id, await request.json());
      return new Response(null, { status: 204 });
    }
    if (kind === "hooks" && request.method === "GET") return Response.json(received.get(id) ?? []);
    if (kind !== "hooks" || request.method !== "POST") return new Response("no such route", { status: 404 });
    const body = await request.text();
    const list = received.get(id) ?? [];
    received.set(id, list);
    const script = scripts.get(id) ?? {};
    const failing = (script.fail ?? 0) > 0;
    if (failing) script.fail -= 1;
    if (script.delayMs) await new Promise((r) => setTimeout(r, script.delayMs));
    const status = failing ? (script.status ?? 500) : 200;
    list.push({ headers: Object.fromEntries(request.headers), body, url: request.url, at: Date.now(), answered: status });
    if (failing && script.redirect) return new Response(null, { status, headers: { location: script.redirect } });
    return new Response(failing ? (script.body ?? "refused") : "ok", { status });
  },
};
