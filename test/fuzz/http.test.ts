// Property-based fuzzing of the router: every route, with malformed and
// hostile bodies, paths, queries, content types and Accept headers. Each
// request is answered within a bounded time; a refused one with a JSON
// error (a 4xx, never a 5xx) and without moving the witness topic's
// offsets; and afterwards every object still answers. Fixed seed, bounded
// runs; a failure prints its counterexample (the request's spec) and seed.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { call, createTopic } from "../helpers";
import { accept, bodyOf, bodySpec, contentType, paramOverride, query, sometimes, streaming, templateFor, timeoutValue } from "./arbitraries";
import { concretePath, HTTP_ROUTES } from "./routes";
import { expectAlive, marks, WITNESS, within } from "./witness";
import { accessStub, controllerStub, groupStub } from "../stubs";

const SEED = 20_261_126;
const RUNS = 300;
const ANSWER_MS_MAX = 10_000;
const VICTIM = "fz-victim"; // topic admin routes (delete, configs, partitions) act on this one, never on the witness

beforeAll(async () => {
  await createTopic(WITNESS, 2);
  await createTopic(VICTIM, 1);
  const made = await call("POST", "/consumers/fz-group", { name: "fz-instance", format: "binary", "auto.offset.reset": "earliest" });
  expect(made.status).toBe(200);
  expect((await call("POST", "/consumers/fz-group/instances/fz-instance/subscription", { topics: [WITNESS] })).status).toBe(204);
});

afterAll(() => vi.restoreAllMocks());

/** Which topic a route's `:t` names: the witness for produce and reads, the victim for admin changes (by the method actually sent). */
function topicFor(rule: (typeof HTTP_ROUTES)[number], method: string): string {
  const admin = method === "DELETE" || method === "PATCH" || method === "PUT" || rule.path.includes("configs");
  return admin ? VICTIM : WITNESS;
}

const request = fc.record({
  route: fc.nat({ max: HTTP_ROUTES.length - 1 }),
  method: sometimes(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), 8),
  param: paramOverride,
  query,
  timeout: timeoutValue,
  contentType,
  accept,
  body: bodySpec,
  streaming,
});

type Spec = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** Splits `bytes` into chunks of the given sizes (cycling), as a stream. */
function chunked(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let pos = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (pos >= bytes.length) return controller.close();
      const size = sizes[i++ % sizes.length]!;
      controller.enqueue(bytes.slice(pos, pos + size));
      pos += size;
    },
  });
}

/** Sends one generated request; the status, the text of the answer (an event stream is not read) and its content type. */
async function exchange(spec: Spec): Promise<{ status: number; text: string; type: string; what: string }> {
  const rule = HTTP_ROUTES[spec.route]!;
  const method = spec.method ?? rule.method;
  const params = { t: topicFor(rule, method), ...(spec.param === null ? {} : { [spec.param.name]: spec.param.value }) };
  const search = new URLSearchParams(spec.query);
  search.set(rule.path.startsWith("/consumers") ? "timeout" : "timeout_ms", spec.timeout);
  const path = `${concretePath(rule, params)}?${search}`;
  const headers: Record<string, string> = {};
  if (spec.contentType !== undefined) headers["content-type"] = spec.contentType;
  if (spec.accept !== undefined) headers.accept = spec.accept;
  let body: BodyInit | null = method === "GET" || method === "OPTIONS" ? null : bodyOf(spec.body, templateFor(rule, params.t));
  if (body !== null && spec.streaming !== null) body = chunked(typeof body === "string" ? new TextEncoder().encode(body) : (body as Uint8Array), spec.streaming);
  const what = `${method} ${path.slice(0, 300)}`;
  const init = { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit;
  const res = await within(ANSWER_MS_MAX, what, SELF.fetch(`http://runnel.test${path}`, init));
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, text: "", type, what };
  }
  const text = new TextDecoder().decode(await within(ANSWER_MS_MAX, `${what} (body)`, res.arrayBuffer()));
  return { status: res.status, text, type, what };
}

describe("the router under hostile requests (property-based, fixed seed)", () => {
  it(`answers ${RUNS} generated requests within ${ANSWER_MS_MAX} ms each: refusals are JSON 4xx and append nothing`, async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let baseline = await marks();
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(request, async (spec) => {
        logged.mockClear();
        const { status, text, what } = await exchange(spec);
        expect(status, what).toBeGreaterThanOrEqual(200);
        expect(status, `${what} → ${status} ${text.slice(0, 300)}`).toBeLessThan(500);
        expect(logged, `${what} logged a bug: ${String(logged.mock.calls[0]?.[0]).slice(0, 500)}`).not.toHaveBeenCalled();
        const now = await marks();
        if (status >= 400) {
          refused++;
          const { error_name: name, ...error } = JSON.parse(text);
          expect(error, what).toEqual({ error_code: expect.any(Number), message: expect.any(String) });
          if (name !== undefined) expect(name, what).toMatch(/^[A-Z][A-Z_]+$/); // Kafka's name, when the error has one
          expect(now, `${what} → ${status}, yet the witness's offsets moved`).toBe(baseline);
        }
        baseline = now;
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 75_000, markInterruptAsFailure: false },
    );
    expect(refused).toBeGreaterThan(RUNS / 2); // the generators make mostly bad requests
    await expectAlive();
    expect(logged).not.toHaveBeenCalled();
  }, 120_000);

  it("still serves the consumer instance and the group afterwards", async () => {
    const res = await call("GET", "/consumers/fz-group/instances/fz-instance/records?timeout=0");
    expect([200, 404]).toContain(res.status); // a generated DELETE may have removed it: then a clean 404
    expect((await call("GET", "/v3/clusters/runnel-local/consumer-groups/fz-group")).status).toBeLessThan(500);
    // No generated request changed a prototype, here or inside the objects it reached.
    const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join();
    const here = protoNames();
    for (const stub of [controllerStub(env), groupStub(env, "fz-group"), accessStub(env)] as unknown as DurableObjectStub[]) {
      expect(await runInDurableObject<DurableObject, string>(stub, () => protoNames())).toBe(here);
    }
    expect(({}) as Record<string, unknown>).not.toHaveProperty("polluted");
  });
});
