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
import { ErrorCode, failure, retriable, RunnelError, type Failure } from "../errors";

/** What an object tells the boundary about itself for a bug report (ids, role; small). */
export interface LogContext {
  logContext(): Record<string, unknown>;
}

const GUARDED = Symbol("runnel.guarded");

/**
 * Wraps `methods` of `cls`'s prototype in the boundary. Call once, next to
 * the class. Each listed method must be async and return `{ok: true, …} |
 * Failure`.
 */
export function guardRpc<T extends LogContext>(cls: { name: string; prototype: T }, methods: readonly (keyof T & string)[]): void {
  const proto = cls.prototype as unknown as Record<string, unknown>;
  for (const name of methods) {
    const original = proto[name];
    if (typeof original !== "function") throw new Error(`${cls.name}.${name} is not a method`);
    if ((original as { [GUARDED]?: boolean })[GUARDED]) continue;
    const where = `${cls.name}.${name}`;
    const guarded = async function (this: T, ...args: unknown[]): Promise<unknown> {
      try {
        return await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      } catch (e) {
        return caught(e, where, this, args);
      }
    };
    Object.defineProperty(guarded, GUARDED, { value: true });
    proto[name] = guarded;
  }
}

/** Whether `method` of `cls` is wrapped by `guardRpc` (for tests that check every RPC method is). */
export function isGuarded(cls: { prototype: unknown }, method: string): boolean {
  const fn = (cls.prototype as Record<string, unknown>)[method];
  return typeof fn === "function" && (fn as { [GUARDED]?: boolean })[GUARDED] === true;
}

/** The `Failure` for an error that escaped `where`; bugs are logged with `self`'s context and `args`. */
export function caught(e: unknown, where: string, self: Partial<LogContext> | null, args: unknown[]): Failure {
  if (e instanceof RunnelError) return failure(e.errorCode, e.message, e.errorName ?? null);
  if (isTransient(e)) return retriable("REQUEST_TIMED_OUT", `${where} could not finish: ${(e as Error).message}; retry`);
  logBug(where, e, { ...safeContext(self), args: summarize(args) });
  return failure(ErrorCode.INTERNAL, `bug in ${where}: ${e instanceof Error ? e.message : String(e)}`);
}

/** Whether a thrown error is the runtime's transient kind (a call that may be retried), not a bug. */
export function isTransient(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const flags = e as { retryable?: unknown; overloaded?: unknown };
  return flags.retryable === true || flags.overloaded === true;
}

/** Logs a bug once, as one JSON line with where it happened, its context and its stack. */
export function logBug(where: string, e: unknown, context: Record<string, unknown> = {}): void {
  const error = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  console.error(JSON.stringify({ level: "error", event: "bug", where, ...context, error }));
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
