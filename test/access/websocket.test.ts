import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

/** Opens a subscription socket; resolves with its first frame or its close code, whichever comes first. */
async function open(path: string, protocols: string[], headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`http://runnel.test${path}`, { headers: { upgrade: "websocket", "sec-websocket-protocol": protocols.join(", "), ...headers } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const first = new Promise<{ frame?: Record<string, unknown>; closed?: number; reason?: string }>((resolve) => {
    ws.addEventListener("message", (e) => resolve({ frame: JSON.parse(e.data as string) }));
    ws.addEventListener("close", (e) => resolve({ closed: e.code, reason: e.reason }));
  });
  ws.accept();
  const got = await first;
  if (got.frame !== undefined) ws.close(1000, "done");
  return { got, protocol: res.headers.get("sec-websocket-protocol") };
}

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

describe("WebSocket subscriptions with authentication on", () => {
  it("close at once with 4401 without a key or with a wrong one", async () => {
    await adminTopic("ws-auth-a");
    const none = await open("/ws/v1/consumer/ws-auth-g?topics=ws-auth-a", ["runnel.v1"]);
    expect(none.got.closed).toBe(4401);
    const wrong = await open("/ws/v1/consumer/ws-auth-g?topics=ws-auth-a", ["runnel.v1", `runnel.auth.${b64url("admin.nope")}`]);
    expect(wrong.got.closed).toBe(4401);
    expect(wrong.got.reason).toContain("wrong secret");
  });

  it("close with 4403 naming what is missing, and serve a principal with READ on the group and the topics", async () => {
    await adminTopic("ws-auth-b");
    const wes = await keyFor("User:wes");
    const path = "/ws/v1/consumer/ws-auth-h?topics=ws-auth-b";
    const noGroup = await open(path, ["runnel.v1", `runnel.auth.${b64url(wes)}`]);
    expect(noGroup.got.closed).toBe(4403);
    expect(noGroup.got.reason).toContain("READ GROUP 'ws-auth-h'");
    await allow("User:wes", "GROUP", "ws-auth-h", "READ");
    const noTopic = await open(path, ["runnel.v1", `runnel.auth.${b64url(wes)}`]);
    expect(noTopic.got.closed).toBe(4403);
    expect(noTopic.got.reason).toContain("READ TOPIC 'ws-auth-b'");
    await allow("User:wes", "TOPIC", "ws-auth-b", "READ");
    const ok = await open(path, ["runnel.v1", `runnel.auth.${b64url(wes)}`]);
    expect(ok.got.frame).toMatchObject({ type: "assignment" });
    expect(ok.protocol).toBe("runnel.v1");
    const byToken = await open(`${path}&access_token=${encodeURIComponent(wes)}`, ["runnel.v1"]);
    expect(byToken.got.frame).toMatchObject({ type: "assignment" });
  });

  it("records a denied upgrade in the audit log", async () => {
    const since = Date.now();
    const vic = await keyFor("User:vic");
    await open("/ws/v1/consumer/ws-auth-v?topics=x", ["runnel.v1", `runnel.auth.${b64url(vic)}`]);
    const deadline = Date.now() + 5000;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = (await as(ADMIN, "GET", `${V3}/audit?since=${since}`)).body.data.map((e: Record<string, unknown>) => `${e.principal} ${e.outcome} ${e.resource}`);
      if (rows.includes("User:vic denied GROUP:ws-auth-v")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toContain("User:vic denied GROUP:ws-auth-v");
  });
});
