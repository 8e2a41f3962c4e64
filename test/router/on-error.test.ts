import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode, RunnelError } from "../../src/errors";
import { onError, requestId } from "../../src/router/on-error";
import { call, V3 } from "../helpers";

// A router with the production boundary, and routes that fail in each way a route can.
const app = new Hono();
app.use("*", requestId);
app.get("/expected", () => {
  throw new RunnelError(ErrorCode.RETRIABLE, "NOT_ENOUGH_REPLICAS: 1 in-sync replica", 2, "NOT_ENOUGH_REPLICAS");
});
app.get("/unauthenticated", () => {
  throw new RunnelError(ErrorCode.UNAUTHENTICATED, "an API key is required");
});
app.get("/unnamed", () => {
  throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json");
});
app.get("/bug", () => {
  throw new TypeError("Cannot read properties of undefined (reading 'secret internals')");
});
app.get("/object-bug", () => {
  throw new RunnelError(ErrorCode.INTERNAL, "bug in PartitionReplica.append: assertion failed: secret internals");
});
app.onError(onError);

afterEach(() => vi.restoreAllMocks());

describe("the router's error boundary", () => {
  it("answers an expected failure with its code, message, Kafka name, Retry-After and a request id", async () => {
    const res = await app.request("/expected");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error_code: 50003, message: "NOT_ENOUGH_REPLICAS: 1 in-sync replica", error_name: "NOT_ENOUGH_REPLICAS" });
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.headers.get("runnel-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 40101 with status 401, WWW-Authenticate and SASL_AUTHENTICATION_FAILED; an error with no Kafka meaning without a name", async () => {
    const res = await app.request("/unauthenticated");
    expect([res.status, res.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="runnel"']);
    expect(await res.json()).toEqual({ error_code: 40101, message: "an API key is required", error_name: "SASL_AUTHENTICATION_FAILED" });
    const unnamed = await app.request("/unnamed");
    expect([unnamed.status, await unnamed.json()]).toEqual([415, { error_code: 415, message: "send application/json" }]);
  });

  for (const path of ["/bug", "/object-bug"]) {
    it(`hides the internal text of a bug (${path}), logs it once with the request id, and names the id to the client`, async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
      const res = await app.request(path);
      expect(res.status).toBe(500);
      const id = res.headers.get("runnel-request-id")!;
      const body = (await res.json()) as { error_code: number; message: string; error_name: string };
      expect([body.error_code, body.error_name]).toEqual([500, "UNKNOWN_SERVER_ERROR"]);
      expect(body.message).toContain(id);
      expect(body.message).not.toContain("secret internals");
      expect(logged).toHaveBeenCalledTimes(1);
      const line = JSON.parse(String(logged.mock.calls[0]![0]));
      expect(line).toMatchObject({ event: "bug", request_id: id, path });
      expect(line.error).toContain("secret internals");
    });
  }

  it("puts a request id on every response of the real Worker, errors included", async () => {
    const ok = await call("GET", "/v3/clusters");
    const missing = await call("GET", `${V3}/topics/no-such-topic`);
    expect(ok.headers.get("runnel-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("runnel-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.headers.get("runnel-request-id")).not.toBe(ok.headers.get("runnel-request-id"));
  });
});
