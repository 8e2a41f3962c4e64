/**
 * The error boundary of every Durable Object method called over RPC.
 * RPC keeps only an error's name and message, so expected failures are
 * results (`Failure`), never throws. The boundary turns whatever still
 * escapes a method into a result: a `RunnelError` keeps its code; the
 * runtime's own transient errors (`retryable` or `overloaded`, e.g. a
 * restarting object) become a retriable 50003; anything else is a bug,
 * logged here once with the object's context and the call's arguments,
 * and returned as a 500 whose text the router keeps out of responses.
 */
import { ErrorCode, failure, internalErrorBody, retriable, RunnelError, type ErrorBody, type Failure } from "../errors";

/** What an object tells the boundary about itself for a bug report (ids, role; small). */
export interface LogContext {
  logContext(): Record<string, unknown>;
}

const GUARDED = Symbol("runnel.guarded");

/**
 * Methods of an object class that are not RPC methods: the runtime's
 * entry points (handled by RunnelObject and the class itself) and the
 * object's log context. Everything else public on the prototype is RPC.
 */
const NOT_RPC = new Set(["constructor", "fetch", "alarm", "webSocketMessage", "webSocketClose", "webSocketError", "logContext", "onAlarm"]);

/**
 * Wraps every RPC method of `cls` — each public method on its prototype
 * chain up to (not including) `base` — in the boundary. Idempotent. Each
 * must be async and return `{ok: true, …} | Failure`; a public method
 * that is not async is a bug (a helper that should be `#private`), and
 * this throws, naming it.
 */
export function guardClass(cls: { name: string; prototype: object }, base: { prototype: object }): void {
  for (let proto = cls.prototype; proto !== base.prototype && proto !== null; proto = Object.getPrototypeOf(proto) as object) {
    const className = (proto as { constructor: { name: string } }).constructor.name;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (NOT_RPC.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      if (typeof d.value !== "function" || (d.value as { [GUARDED]?: boolean })[GUARDED]) continue;
      if (d.value.constructor.name !== "AsyncFunction") {
        throw new Error(`${className}.${name} is public but not async: an RPC method must be async; make a helper #private`);
      }
      Object.defineProperty(proto, name, { ...d, value: guarded(d.value as (...a: unknown[]) => Promise<unknown>, `${className}.${name}`) });
    }
  }
}

function guarded(original: (...a: unknown[]) => Promise<unknown>, where: string): (...a: unknown[]) => Promise<unknown> {
  const wrapper = async function (this: Partial<LogContext>, ...args: unknown[]): Promise<unknown> {
    try {
      return await original.apply(this, args);
    } catch (e) {
      return caught(e, where, this, args);
    }
  };
  Object.defineProperty(wrapper, GUARDED, { value: true });
  return wrapper;
}

/** Whether `method` of `cls` is wrapped by the boundary (for tests that check every RPC method is). */
export function isGuarded(cls: { prototype: unknown }, method: string): boolean {
  const fn = (cls.prototype as Record<string, unknown>)[method];
  return typeof fn === "function" && (fn as { [GUARDED]?: boolean })[GUARDED] === true;
}

/** The names of `cls`'s RPC methods: what `guardClass` wraps. */
export function rpcMethodNames(cls: { prototype: object }, base: { prototype: object }): string[] {
  const names: string[] = [];
  for (let proto = cls.prototype; proto !== base.prototype && proto !== null; proto = Object.getPrototypeOf(proto) as object) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      if (!NOT_RPC.has(name) && typeof d.value === "function" && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** The `Failure` for an error that escaped `where`; bugs are logged with `self`'s context and `args`. */
export function caught(e: unknown, where: string, self: Partial<LogContext> | null, args: unknown[]): Failure {
  if (e instanceof RunnelError) return failure(e.errorCode, e.message, e.errorName ?? null);
  if (isTransient(e)) return retriable("REQUEST_TIMED_OUT", `${where} could not finish: ${(e as Error).message}; retry`);
  const bugId = logBug(where, e, { ...safeContext(self), args: summarize(args) });
  return { ...failure(ErrorCode.INTERNAL, `bug in ${where}: ${e instanceof Error ? e.message : String(e)}`), bug_id: bugId };
}

/** Whether a thrown error is the runtime's transient kind (a call that may be retried), not a bug. */
export function isTransient(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const flags = e as { retryable?: unknown; overloaded?: unknown };
  return flags.retryable === true || flags.overloaded === true;
}

/**
 * Logs a bug once, as one JSON line with where it happened, its context,
 * its stack and a fresh bug id; returns the id, which the 500 that answers
 * for the bug carries, so the answer and the line can be matched.
 */
export function logBug(where: string, e: unknown, context: Record<string, unknown> = {}): string {
  const bugId = crypto.randomUUID();
  const error = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  console.error(JSON.stringify({ level: "error", event: "bug", bug_id: bugId, where, ...context, error }));
  return bugId;
}

/**
 * The body that answers a bug (a 500) to a client: the bug id of its one
 * log line — logged here, unless it was already logged where it happened
 * (a RunnelError carrying its bug id) — and the request id; never the
 * internal text.
 */
export function bugBody(e: unknown, where: string, requestId: string, context: Record<string, unknown> = {}): ErrorBody {
  const bugId = e instanceof RunnelError && e.bugId !== undefined ? e.bugId : logBug(where, e, { request_id: requestId, ...context });
  return internalErrorBody(bugId, requestId);
}

function safeContext(self: Partial<LogContext> | null): Record<string, unknown> {
  try {
    return self?.logContext?.() ?? {};
  } catch {
    return { context: "unavailable" };
  }
}

/** Arguments as short JSON for a log line: byte arrays as their length, long strings cut. */
export function summarize(value: unknown, charsMax = 2_000): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return `<${v.length} bytes>`;
      if (v instanceof ArrayBuffer) return `<${v.byteLength} bytes>`;
      if (typeof v === "string" && v.length > 200) return `${v.slice(0, 200)}…`;
      return v;
    });
  } catch {
    text = String(value);
  }
  return text.length > charsMax ? `${text.slice(0, charsMax)}…` : text;
}
