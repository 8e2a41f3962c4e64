// A webhook receiver for the push tests: a real Worker that Runnel's
// fetches reach (the tests' Miniflare routes the Worker's outbound HTTP
// here). Each path is a hook: `POST /hooks/{id}` records the request
// (headers and the raw body) and answers as the hook's script says;
// `PUT /scripts/{id}` sets the script ({"fail": n, "status", "delayMs",
// "redirect", "body", "slowPartition"}: the first n requests answer
// `status` (or redirect to `redirect`); every request waits `delayMs`
// first — only those of partition `slowPartition`, when given);
// `GET /hooks/{id}` lists what it received, each request from its arrival
// (`answered` null until it is answered).

/** @type {Map<string, {headers: Record<string, string>, body: string, url: string, at: number, answered: number | null}[]>} */
const received = new Map();
/** @type {Map<string, {fail?: number, status?: number, delayMs?: number, redirect?: string, body?: string, slowPartition?: number}>} */
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
    const entry = { headers: Object.fromEntries(request.headers), body, url: request.url, at: Date.now(), answered: null };
    list.push(entry);
    const script = scripts.get(id) ?? {};
    const failing = (script.fail ?? 0) > 0;
    if (failing) script.fail -= 1;
    if (script.delayMs && (script.slowPartition === undefined || partitionOf(body) === script.slowPartition)) await new Promise((r) => setTimeout(r, script.delayMs));
    const status = failing ? (script.status ?? 500) : 200;
    entry.answered = status;
    if (failing && script.redirect) return new Response(null, { status, headers: { location: script.redirect } });
    return new Response(failing ? (script.body ?? "refused") : "ok", { status });
  },
};

function partitionOf(body) {
  try {
    return JSON.parse(body).partition;
  } catch {
    return undefined;
  }
}
