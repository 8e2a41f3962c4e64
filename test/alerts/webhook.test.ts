import { afterEach, describe, expect, it, vi } from "vitest";
import { postJson } from "../../src/alerts/alerting";

afterEach(() => vi.restoreAllMocks());

/** Replaces the global fetch for one test; returns the spy. */
const answering = (answer: (init: RequestInit) => Promise<Response>) =>
  vi.spyOn(globalThis, "fetch").mockImplementation((_input, init) => answer(init ?? {}));

describe("a webhook delivery (postJson)", () => {
  it("is made when the webhook answers 2xx, as one JSON POST that follows no redirect", async () => {
    const spy = answering(async () => new Response(null, { status: 204 }));
    expect(await postJson("http://hooks.test/a", '{"alert":"a"}')).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const [url, init] = spy.mock.calls[0]!;
    expect(url).toBe("http://hooks.test/a");
    expect(init).toMatchObject({ method: "POST", body: '{"alert":"a"}', redirect: "manual" });
    expect(new Headers(init!.headers).get("content-type")).toBe("application/json");
  });

  it.each([500, 503, 404, 302])("fails (to be retried) when the webhook answers %i", async (status) => {
    answering(async () => new Response("no", { status, headers: status === 302 ? { location: "http://elsewhere.test/" } : {} }));
    expect(await postJson("http://hooks.test/a", "{}")).toBe(false);
  });

  it("fails when the webhook cannot be reached", async () => {
    answering(async () => Promise.reject(new TypeError("connection refused")));
    expect(await postJson("http://hooks.test/a", "{}")).toBe(false);
  });

  it("fails once the timeout passes when the webhook does not answer, aborting the request", async () => {
    let signal: AbortSignal | undefined;
    answering((init) => {
      signal = init.signal ?? undefined;
      // Hangs until aborted, as a fetch to a webhook that never answers does.
      return new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    });
    const startedMs = Date.now();
    expect(await postJson("http://hooks.test/slow", "{}", 50)).toBe(false);
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    expect(signal?.aborted).toBe(true);
  });
});
