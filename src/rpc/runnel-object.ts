/**
 * The one base of every Durable Object class. It owns what each object
 * would otherwise repeat:
 *
 * - Schema steps: the class's numbered SQLite steps are applied before
 *   anything else (schema-steps.ts).
 * - The RPC boundary: every public method of the class is an RPC method
 *   and is wrapped by the boundary at first construction, without the
 *   class listing them (boundary.ts guardClass). Helpers are `#private`.
 * - The alarm: `alarms` sets it (sooner only, never silently dropped: a
 *   refused write is retried, see alarm-clock.ts) and the class's
 *   `onAlarm` runs from it; a bug there is logged once with the object's
 *   context and the alarm runs again after `limits.alarmRetryAfterBugMs`,
 *   never a hot loop and never stopped.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { limits } from "../limits";
import { AlarmClock } from "./alarm-clock";
import { guardClass, logBug, type LogContext } from "./boundary";
import { applySchema } from "./schema-steps";

export abstract class RunnelObject extends DurableObject<Env> implements LogContext {
  /** The object's SQLite storage. Not reachable over RPC (instance fields are not). */
  readonly sql: SqlStorage;
  /** The object's one alarm. Not reachable over RPC. */
  readonly alarms: AlarmClock;

  /** `schema`: the class's numbered SQLite steps (none for objects that keep only memory). */
  constructor(ctx: DurableObjectState, env: Env, schema: readonly string[]) {
    super(ctx, env);
    guardClass(new.target, RunnelObject);
    this.sql = ctx.storage.sql;
    applySchema(this.sql, schema);
    this.alarms = new AlarmClock(ctx.storage, (where, e) => logBug(where, e, this.#context()));
  }

  /** Small ids for a bug report: which object this is, what it holds. */
  abstract logContext(): Record<string, unknown>;

  /** The object's scheduled work, run from its alarm. Default: none. */
  protected async onAlarm(): Promise<void> {}

  /** The runtime's alarm entry: runs `onAlarm`; a bug is logged and the alarm set again. */
  override async alarm(): Promise<void> {
    this.alarms.fired();
    try {
      await this.onAlarm();
    } catch (e) {
      logBug(`${this.constructor.name}.alarm`, e, this.#context());
      await this.alarms.setAt(Date.now() + limits.alarmRetryAfterBugMs);
    }
  }

  #context(): Record<string, unknown> {
    try {
      return this.logContext();
    } catch {
      return { object: this.constructor.name, context: "unavailable" };
    }
  }
}
