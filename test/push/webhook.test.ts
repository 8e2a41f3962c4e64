import { describe, expect, it } from "vitest";
import { limits } from "../../src/limits";
import { postWebhook } from "../../src/push/webhook";
import { hookUrl, received, script } from "./helpers";

const target = (id: string, headers: Record<string, string> = {}) => ({ type: "webhook" as const, url: hookUrl(id), headers });

describe("one webhook delivery (postWebhook)", () => {
  it("is accepted on a 2xx, sent as a signed JSON POST with the target's own headers", async () => {
    expect(await postWebhook(target("wh-ok", { authorization: "Bearer abc" }), "s3cret", '{"a":1}')).toBeNull();
    const [r] = await received("wh-ok");
    expect(r!.body).toBe('{"a":1}');
    expect(r!.headers).toMatchObject({ authorization: "Bearer abc", "content-type": "application/json" });
    expect(r!.headers["runnel-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it("follows a redirect to the same origin with the same POST", async () => {
    await script("wh-redirect", { fail: 1, status: 307, redirect: hookUrl("wh-redirected") });
    expect(await postWebhook(target("wh-redirect"), "s", '{"b":2}')).toBeNull();
    expect((await received("wh-redirected")).map((r) => r.body)).toEqual(['{"b":2}']);
  });

  it("does not follow a redirect to another host: that is a failure", async () => {
    await script("wh-away", { fail: 1, status: 302, redirect: "http://elsewhere.test/hooks/wh-stolen" });
    expect(await postWebhook(target("wh-away"), "s", "{}")).toBe("the webhook answered 302 redirecting to another host (http://elsewhere.test), which is not followed");
    expect(await received("wh-stolen")).toEqual([]);
  });

  it("gives up after too many redirects", async () => {
    await script("wh-loop", { fail: 100, status: 308, redirect: hookUrl("wh-loop") });
    expect(await postWebhook(target("wh-loop"), "s", "{}")).toBe(`the webhook redirected more than ${limits.pushWebhookRedirectsMax} times`);
    expect((await received("wh-loop")).length).toBe(limits.pushWebhookRedirectsMax + 1);
  });

  it("fails when the webhook does not answer in time", async () => {
    await script("wh-slow", { delayMs: 2_000 });
    const startedMs = Date.now();
    expect(await postWebhook(target("wh-slow"), "s", "{}", 200)).toBe("the webhook did not answer within 200 ms");
    expect(Date.now() - startedMs).toBeLessThan(1_500);
  });

  it("reads only the start of a refusal's answer", async () => {
    await script("wh-big", { fail: 1, status: 500, body: "x".repeat(1_000_000) });
    const error = await postWebhook(target("wh-big"), "s", "{}");
    expect(error).toBe(`the webhook answered 500: ${"x".repeat(limits.pushWebhookResponseBytesMax)}`);
  });

  it("fails on any answer but a 2xx (a 404 here)", async () => {
    const error = await postWebhook({ type: "webhook", url: "http://receiver.test/nowhere", headers: {} }, "s", "{}");
    expect(error).toBe("the webhook answered 404: no such route");
  });
});
