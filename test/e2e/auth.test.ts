// The server as users start it (`npm start`): open with a warning in
// development without a key, closed (503) in production without one, and
// authenticated with --admin-key or RUNNEL_ADMIN_KEY; fault injection is
// refused in production even to the admin.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { freePort, startServer, type RunningServer, type ServerOptions } from "./server";

const C = "/v3/clusters/runnel-local";
const SECRET = "e2e-admin-secret";
const dirs: string[] = [];
const running: RunningServer[] = [];

afterAll(async () => {
  for (const s of running) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(options: ServerOptions, dir = freshDir()): Promise<RunningServer> {
  const server = await startServer(await freePort(), dir, 0, options);
  running.push(server);
  return server;
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-auth-"));
  dirs.push(dir);
  return dir;
}

async function ask(server: RunningServer, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? null : JSON.parse(text) };
}

/** A WebSocket upgrade request (fetch will not send one); the HTTP answer when it is refused. */
function upgrade(server: RunningServer, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, {
      headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64") },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d: Buffer) => {
        text += d.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: null });
    });
    req.on("error", reject);
    req.end();
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` });

describe("npm start in development mode without an admin key", () => {
  it("prints the warning and serves open, saying so on every response", async () => {
    const server = await serve({});
    expect(server.output()).toMatch(/warning: authentication is OFF/);
    expect(server.output()).toMatch(/development mode, authentication off/);
    for (const [method, path] of [["GET", "/v3/clusters"], ["GET", `${C}/topics`], ["GET", "/nowhere"], ["GET", "/topics"]]) {
      const res = await ask(server, method!, path!);
      expect(res.headers.get("runnel-auth"), path).toBe("off");
      expect(res.status, path).toBeLessThan(500);
    }
    const made = await ask(server, "POST", `${C}/topics`, {}, { topic_name: "open", partitions_count: 1 });
    expect([made.status, made.headers.get("runnel-auth")]).toEqual([201, "off"]);
    // The WebSocket upgrade's answer too (it comes from the group's own object), and the socket still serves.
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/consumer/open-g?topics=open`, ["runnel.v1"]);
    const upgraded = new Promise<unknown>((resolve) => ws.once("upgrade", (res) => resolve(res.headers["runnel-auth"])));
    const first = await new Promise<{ type?: string }>((resolve, reject) => {
      ws.once("message", (data) => resolve(JSON.parse(data.toString())));
      ws.once("error", reject);
    });
    ws.close();
    expect([await upgraded, first.type]).toEqual(["off", "assignment"]);
    // Keys and ACLs mean nothing without authentication: none can be read or planted for later.
    for (const [method, path, body] of [
      ["POST", `${C}/keys`, { principal: "User:mallory" }],
      ["GET", `${C}/keys`],
      ["POST", `${C}/acls`, { resource_type: "CLUSTER", resource_name: "kafka-cluster", pattern_type: "LITERAL", principal: "User:mallory", host: "*", operation: "ALL", permission: "ALLOW" }],
      ["GET", `${C}/acls`],
    ] as const) {
      const res = await ask(server, method, path, {}, body);
      expect([method, path, res.status, res.body.message]).toEqual([method, path, 403, expect.stringMatching(/only with authentication on/)]);
    }
  });
});

describe("npm start without an admin key on a state directory that holds keys and ACLs", () => {
  it("refuses to start, saying what it found and the two ways forward; --auth-off serves open and still hides them", async () => {
    const dir = freshDir();
    const secured = await serve({ adminKey: SECRET }, dir);
    const admin = bearer(`admin.${SECRET}`);
    const key = await ask(secured, "POST", `${C}/keys`, admin, { principal: "User:alice" });
    expect(key.status).toBe(201);
    const acl = { resource_type: "TOPIC", resource_name: "orders", pattern_type: "LITERAL", principal: "User:alice", host: "*", operation: "READ", permission: "ALLOW" };
    expect((await ask(secured, "POST", `${C}/acls`, admin, acl)).status).toBe(201);
    await secured.stop();

    const refused = await serve({}, dir).then(
      () => "started",
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/server exited with 1/);
    expect(refused).toMatch(/refusing to serve .+ without authentication: this state holds 1 API key and 1 ACL/);
    expect(refused).toMatch(/npm start -- --admin-key/);
    expect(refused).toMatch(/npm start -- --auth-off/);

    const open = await serve({ authOff: true }, dir);
    expect(open.output()).toMatch(/authentication is OFF.*Keys and ACLs stored here are kept, unused/);
    const topics = await ask(open, "GET", `${C}/topics`);
    expect([topics.status, topics.headers.get("runnel-auth")]).toEqual([200, "off"]);
    for (const path of [`${C}/keys`, `${C}/keys/${key.body.key_id}`, `${C}/acls`]) expect((await ask(open, "GET", path)).status, path).toBe(403);
    await open.stop();

    // Kept: with the admin key again, alice's key works.
    const again = await serve({ adminKey: SECRET }, dir);
    expect((await ask(again, "GET", `${C}/topics`, bearer(`${key.body.key_id}.${key.body.secret}`))).status).toBe(200);
  });
});

describe("npm start -- --mode production without an admin key", () => {
  it("answers every request 503 / 50301, whatever it is", async () => {
    const server = await serve({ mode: "production" });
    expect(server.output()).toMatch(/production mode without an admin key refuses every request/);
    const requests: [string, string, Record<string, string>, unknown?][] = [
      ["GET", "/v3/clusters", {}],
      ["GET", `${C}/topics`, bearer(`admin.${SECRET}`)],
      ["POST", `${C}/topics`, {}, { topic_name: "closed", partitions_count: 1 }],
      ["POST", "/topics/closed", { "content-type": "text/plain" }, "x"],
      ["GET", "/topics/closed/partitions/0/records?offset=0", { accept: "text/html" }],
      ["POST", `${C}/brokers/0/faults`, {}, { mode: "down" }],
      ["GET", "/nowhere", {}],
    ];
    for (const [method, path, headers, body] of requests) {
      const res = await ask(server, method, path, headers, body);
      expect([method, path, res.status, res.body]).toEqual([method, path, 503, { error_code: 50301, message: expect.stringMatching(/RUNNEL_ADMIN_KEY/) }]);
      expect(res.headers.get("runnel-auth")).toBeNull();
    }
    expect(await upgrade(server, "/ws/v1/consumer/g?topics=closed")).toEqual({ status: 503, body: { error_code: 50301, message: expect.any(String) } });
  });
});

for (const [how, options] of [
  ["--admin-key", { adminKey: SECRET }],
  ["the RUNNEL_ADMIN_KEY environment variable", { env: { RUNNEL_ADMIN_KEY: SECRET } }],
] as const) {
  describe(`npm start with ${how}`, () => {
    it("turns authentication on: 401 / 40101 without a key or with a wrong one, 200 with admin.{secret} as Bearer and as Basic", async () => {
      const server = await serve(options);
      expect(server.output()).toMatch(/authentication on/);
      expect(server.output()).not.toMatch(/warning/);
      const none = await ask(server, "GET", `${C}/topics`);
      expect([none.status, none.body.error_code, none.body.error_name, none.headers.get("www-authenticate")]).toEqual([401, 40101, "SASL_AUTHENTICATION_FAILED", 'Bearer realm="runnel"']);
      expect(none.headers.get("runnel-auth")).toBeNull();
      for (const headers of [bearer("admin.wrong"), basic("admin", "wrong"), bearer(SECRET), { authorization: "Bearer" }]) {
        expect((await ask(server, "GET", `${C}/topics`, headers)).status, headers.authorization).toBe(401);
      }
      expect((await ask(server, "GET", `${C}/topics`, bearer(`admin.${SECRET}`))).status).toBe(200);
      expect((await ask(server, "GET", `${C}/topics`, basic("admin", SECRET))).status).toBe(200);
      // Development with a key: the admin may still inject faults (heal is harmless).
      expect((await ask(server, "POST", `${C}/brokers/0/faults`, bearer(`admin.${SECRET}`), { mode: "heal" })).status).toBe(204);
    });
  });
}

describe("npm start -- --mode production --admin-key", () => {
  it("serves the admin, and refuses fault injection with 403 even to the admin", async () => {
    const server = await serve({ mode: "production", adminKey: SECRET });
    const admin = bearer(`admin.${SECRET}`);
    expect((await ask(server, "GET", `${C}/topics`, admin)).status).toBe(200);
    expect((await ask(server, "GET", `${C}/topics`)).status).toBe(401);
    const fault = await ask(server, "POST", `${C}/brokers/0/faults`, admin, { mode: "down" });
    expect([fault.status, fault.body.error_code, fault.body.error_name]).toEqual([403, 403, undefined]); // refused whoever asks: not an authorization failure
    const restart = await ask(server, "POST", `${C}/brokers/0/restart`, admin);
    expect([restart.status, restart.body.error_code]).toEqual([403, 403]);
    const made = await ask(server, "POST", `${C}/topics`, admin, { topic_name: "prod", partitions_count: 1 });
    expect(made.status).toBe(201);
  });
});
