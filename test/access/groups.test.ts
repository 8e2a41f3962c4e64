// Access control inside consumer groups (API.md "Authentication and access
// control"): consumer instances and WebSocket subscriptions need READ on
// the group (the router's rules) and READ on every topic they subscribe
// to, are assigned, read, commit or seek — checked by the coordinator with
// the principal of the request, or the member's own for its pattern and
// its WebSocket frames.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/limits";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

/** Creates a consumer instance as `key`; returns its path. */
async function instance(key: string, group: string): Promise<string> {
  const res = await as(key, "POST", `/consumers/${group}`, { format: "binary", "auto.offset.reset": "earliest", "auto.commit.enable": "false" });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return new URL(res.body.base_uri).pathname;
}

/** Produces `count` records to partition 0 as admin. */
async function fill(topic: string, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({ value: btoa(`v${i}`), partition: 0 }));
  const res = await as(ADMIN, "POST", `/topics/${topic}`, { records }, { "content-type": "application/vnd.kafka.binary.v2+json" });
  if (res.status !== 200) throw new Error(`fill: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Checks `check` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const denial = (principal: string, topic: string) => ({ error_code: 40301, error_name: "TOPIC_AUTHORIZATION_FAILED", message: `not authorized: ${principal} may not READ TOPIC '${topic}'` });

describe("consumer instances with authentication on", () => {
  it("are refused without READ on the group: 403 / 40301 GROUP_AUTHORIZATION_FAILED, named as data", async () => {
    const hal = await keyFor("User:hal-ga");
    const denied = await as(hal, "POST", "/consumers/ga-nogroup-g", { format: "binary" });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error_code: 40301, error_name: "GROUP_AUTHORIZATION_FAILED", message: "not authorized: User:hal-ga may not READ GROUP 'ga-nogroup-g'" });
  });

  it("subscribe to a list of topics only where every topic may be read: 40301 naming the first that may not", async () => {
    await adminTopic("ga-list-ok");
    await adminTopic("ga-list-secret");
    const ann = await keyFor("User:ann-ga");
    await allow("User:ann-ga", "GROUP", "ga-list-g", "READ");
    await allow("User:ann-ga", "TOPIC", "ga-list-ok", "READ");
    const path = await instance(ann, "ga-list-g");
    const denied = await as(ann, "POST", `${path}/subscription`, { topics: ["ga-list-ok", "ga-list-secret"] });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(denial("User:ann-ga", "ga-list-secret"));
    expect((await as(ann, "GET", `${path}/subscription`)).body).toEqual({ topics: [] }); // nothing changed
    expect((await as(ann, "POST", `${path}/subscription`, { topics: ["ga-list-ok"] })).status).toBe(204);
    expect((await as(ann, "GET", `${path}/assignments`)).body.partitions).toEqual([{ topic: "ga-list-ok", partition: 0 }]);
  });

  it("subscribe by pattern only to topics the member may read, and pick one up within the group's check once READ is granted", async () => {
    await adminTopic("ga-pat-open");
    await adminTopic("ga-pat-closed");
    const bea = await keyFor("User:bea-ga");
    await allow("User:bea-ga", "GROUP", "ga-pat-g", "READ");
    await allow("User:bea-ga", "TOPIC", "ga-pat-open", "READ");
    const path = await instance(bea, "ga-pat-g");
    expect((await as(bea, "POST", `${path}/subscription`, { topic_pattern: "ga-pat-.*" })).status).toBe(204);
    expect((await as(bea, "GET", `${path}/assignments`)).body.partitions).toEqual([{ topic: "ga-pat-open", partition: 0 }]);
    expect((await as(bea, "GET", `${path}/subscription`)).body.topics).toEqual(["ga-pat-open"]);
    await allow("User:bea-ga", "TOPIC", "ga-pat-closed", "READ");
    const both = async () => (await as(bea, "GET", `${path}/assignments`)).body.partitions.length === 2;
    await waitFor("the newly readable topic to be assigned", both, limits.groupCheckIntervalMs + limits.accessCacheMs + 5000);
  });

  it("refuse manual assignment, commits and seeks of topics without READ (403), and change nothing", async () => {
    await adminTopic("ga-man-ok");
    await adminTopic("ga-man-secret");
    await fill("ga-man-ok", 3);
    await fill("ga-man-secret", 3);
    const cid = await keyFor("User:cid-ga");
    await allow("User:cid-ga", "GROUP", "ga-man-g", "READ");
    await allow("User:cid-ga", "TOPIC", "ga-man-ok", "READ");
    const path = await instance(cid, "ga-man-g");
    const secret = [{ topic: "ga-man-secret", partition: 0 }];
    const assign = await as(cid, "POST", `${path}/assignments`, { partitions: [{ topic: "ga-man-ok", partition: 0 }, ...secret] });
    expect(assign.body).toEqual(denial("User:cid-ga", "ga-man-secret"));
    expect((await as(cid, "GET", `${path}/assignments`)).body.partitions).toEqual([]);
    expect((await as(cid, "POST", `${path}/assignments`, { partitions: [{ topic: "ga-man-ok", partition: 0 }] })).status).toBe(204);
    const commit = await as(cid, "POST", `${path}/offsets`, { offsets: [{ ...secret[0], offset: 1 }] });
    expect(commit.body).toEqual(denial("User:cid-ga", "ga-man-secret"));
    const seek = await as(cid, "POST", `${path}/positions`, { offsets: [{ ...secret[0], offset: 1 }] });
    expect(seek.body).toEqual(denial("User:cid-ga", "ga-man-secret"));
    expect((await as(cid, "POST", `${path}/positions/beginning`, { partitions: secret })).status).toBe(403);
    // GET …/offsets names its partitions in a body, which fetch cannot send with a GET: ask the coordinator itself.
    const coordinator = env.GROUPS.get(env.GROUPS.idFromName("ga-man-g"));
    const memberId = path.split("/").pop()!;
    expect(await coordinator.committed(memberId, secret, "User:cid-ga")).toMatchObject({ ok: false, ...denial("User:cid-ga", "ga-man-secret") });
    // What it may read works, and its commit is stored.
    expect((await as(cid, "POST", `${path}/offsets`, { offsets: [{ topic: "ga-man-ok", partition: 0, offset: 1 }] })).status).toBe(200);
    expect((await as(cid, "GET", `${path}/offsets`)).body.offsets).toEqual([{ topic: "ga-man-ok", partition: 0, offset: 2, metadata: "" }]);
  });

  it("read as the principal of each request: another principal with READ on the group only cannot read the instance's topic", async () => {
    await adminTopic("ga-two");
    await fill("ga-two", 2);
    const dee = await keyFor("User:dee-ga");
    const eli = await keyFor("User:eli-ga");
    for (const who of ["User:dee-ga", "User:eli-ga"]) await allow(who, "GROUP", "ga-two-g", "READ");
    await allow("User:dee-ga", "TOPIC", "ga-two", "READ");
    const path = await instance(dee, "ga-two-g");
    expect((await as(dee, "POST", `${path}/assignments`, { partitions: [{ topic: "ga-two", partition: 0 }] })).status).toBe(204);
    const stolen = await as(eli, "GET", `${path}/records?timeout=0`, undefined, { accept: "application/vnd.kafka.binary.v2+json" });
    expect(stolen.body).toEqual(denial("User:eli-ga", "ga-two"));
    const own = await as(dee, "GET", `${path}/records?timeout=1000`, undefined, { accept: "application/vnd.kafka.binary.v2+json" });
    expect(own.body.map((r: { value: string }) => atob(r.value))).toEqual(["v0", "v1"]);
  });

  it("stop reading a topic within a second of its READ being removed, and audit the denial", async () => {
    await adminTopic("ga-revoke");
    const fay = await keyFor("User:fay-ga");
    await allow("User:fay-ga", "GROUP", "ga-revoke-g", "READ");
    await allow("User:fay-ga", "TOPIC", "ga-revoke", "READ");
    const path = await instance(fay, "ga-revoke-g");
    expect((await as(fay, "POST", `${path}/subscription`, { topics: ["ga-revoke"] })).status).toBe(204);
    const poll = () => as(fay, "GET", `${path}/records?timeout=0`, undefined, { accept: "application/vnd.kafka.binary.v2+json" });
    expect((await poll()).status).toBe(200);
    const since = Date.now();
    expect((await as(ADMIN, "DELETE", `${V3}/acls?resource_type=TOPIC&resource_name=ga-revoke&principal=User:fay-ga`)).status).toBe(200);
    await waitFor("the poll to be refused", async () => (await poll()).status === 403, limits.accessCacheMs + 2000);
    await waitFor("the audit entry", async () => {
      const rows = (await as(ADMIN, "GET", `${V3}/audit?since=${since}`)).body.data as { principal: string; outcome: string; resource: string }[];
      return rows.some((e) => e.principal === "User:fay-ga" && e.outcome === "denied" && e.resource === "TOPIC:ga-revoke");
    });
  });
});

/** Opens a subscription socket as `key` (offered as the auth subprotocol); collects every frame. */
async function socket(key: string, path: string) {
  const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const res = await SELF.fetch(`http://runnel.test${path}`, { headers: { upgrade: "websocket", "sec-websocket-protocol": `runnel.v1, runnel.auth.${b64url(key)}` } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: Record<string, any>[] = [];
  let closed: number | null = null;
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(e.data as string));
  });
  ws.addEventListener("close", (e) => {
    closed = e.code;
  });
  ws.accept();
  const until = (what: string, check: () => boolean) => waitFor(`${what}; frames: ${JSON.stringify(frames).slice(0, 400)}`, async () => check());
  return { ws, frames, until, closed: () => closed };
}

describe("WebSocket subscriptions with authentication on", () => {
  it("answer a commit or a seek of a topic without READ with an error frame (40301 TOPIC_AUTHORIZATION_FAILED) and stay open", async () => {
    await adminTopic("ga-ws-ok");
    await adminTopic("ga-ws-secret");
    await fill("ga-ws-ok", 2);
    const gus = await keyFor("User:gus-ga");
    await allow("User:gus-ga", "GROUP", "ga-ws-g", "READ");
    await allow("User:gus-ga", "TOPIC", "ga-ws-ok", "READ");
    const s = await socket(gus, "/ws/v1/consumer/ga-ws-g?topics=ga-ws-ok&auto_offset_reset=earliest&permits=10");
    await s.until("its records", () => s.frames.some((f) => f.type === "records"));
    s.ws.send(JSON.stringify({ type: "commit", id: "x", offsets: [{ topic: "ga-ws-secret", partition: 0, offset: 0 }] }));
    await s.until("the commit's error frame", () => s.frames.some((f) => f.type === "error" && f.id === "x"));
    expect(s.frames.find((f) => f.id === "x")).toEqual({ type: "error", ...denial("User:gus-ga", "ga-ws-secret"), id: "x" });
    s.ws.send(JSON.stringify({ type: "seek", topic: "ga-ws-secret", partition: 0, offset: 0 }));
    await s.until("the seek's error frame", () => s.frames.filter((f) => f.type === "error" && f.error_code === 40301 && f.error_name === "TOPIC_AUTHORIZATION_FAILED").length === 2);
    s.ws.send(JSON.stringify({ type: "commit", id: "ok", offsets: [{ topic: "ga-ws-ok", partition: 0, offset: 2 }] }));
    await s.until("the ack", () => s.frames.some((f) => f.type === "ack" && f.id === "ok"));
    expect(s.closed()).toBeNull();
    s.ws.close(1000, "done");
    // The coordinator has seen the close, so nothing of this socket runs on as the environment closes.
    await waitFor("gus to leave", async () => (await as(ADMIN, "GET", `${V3}/consumer-groups/ga-ws-g/consumers`)).body.data.length === 0);
  });
});
