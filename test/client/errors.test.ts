// The client's errors carry what the API wrote: error_code, Kafka's
// error_name (as data, never read from the message), status and request
// id; WebSocket closes 4401 / 4403 are the API's 40101 / 40301.
import { describe, expect, it } from "vitest";
import { RunnelError } from "../../src/client/errors";
import { errorOf } from "../../src/client/http";
import { verdictOn } from "../../src/client/retry";
import { closeError } from "../../src/client/ws-open";

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

describe("a client error", () => {
  it("carries the body's error_code, message and error_name, the status and the request id", async () => {
    const e = await errorOf(answer(403, { error_code: 40301, message: "not authorized: User:bob may not READ GROUP 'g'", error_name: "GROUP_AUTHORIZATION_FAILED" }, { "runnel-request-id": "r-1" }));
    expect([e.errorCode, e.errorName, e.status, e.requestId, e.message]).toEqual([40301, "GROUP_AUTHORIZATION_FAILED", 403, "r-1", "not authorized: User:bob may not READ GROUP 'g'"]);
    const unnamed = await errorOf(answer(415, { error_code: 415, message: "NOT_ENOUGH_REPLICAS: a message is not a name" }));
    expect([unnamed.errorCode, unnamed.errorName]).toEqual([415, null]);
    const notJson = await errorOf(new Response("Bad gateway", { status: 502 }));
    expect([notJson.errorCode, notJson.errorName, notJson.message]).toEqual([502, null, "Bad gateway"]);
  });

  it("decides produce retries by error_name, not by the message", () => {
    const named = (name: string | null, message: string) => new RunnelError(50003, message, 500, null, null, name);
    expect(verdictOn(named("NOT_ENOUGH_REPLICAS", "only 1 replica is in sync; retry"), false)).toBe("retry");
    expect(verdictOn(named("REQUEST_TIMED_OUT", "NOT_ENOUGH_REPLICAS: says the message, not the name"), false)).toBe("fail");
    expect(verdictOn(new RunnelError(40903, "NON_EMPTY_GROUP: misleading", 409, null, null, "INVALID_PRODUCER_EPOCH"), true)).toBe("fenced");
  });

  it("of a WebSocket close 4401 / 4403 is 40101 / 40301 with status 401 / 403; other 4xxx follow the status", () => {
    expect([closeError(4401, "unknown API key").errorCode, closeError(4401, "").status]).toEqual([40101, 401]);
    expect([closeError(4403, "not authorized").errorCode, closeError(4403, "").status]).toEqual([40301, 403]);
    expect([closeError(4404, "not a member any more").errorCode, closeError(4404, "").status]).toEqual([404, 404]);
  });
});
