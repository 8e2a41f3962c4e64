/**
 * The front door's log lines: one JSON object per line, as the Worker
 * logs (`logBug` from src/rpc/boundary.ts for bugs). Warnings are for an
 * operator (a client sent a frame that is refused, the Worker did not
 * answer); they never carry record bytes.
 */
export { logBug } from "../rpc/boundary";

/** Logs a warning: something went wrong that is not a bug of the front door. */
export function logWarn(event: string, fields: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: "warn", event, ...fields }));
}

/** Logs a line of information (start, stop) unless `quiet`. */
export function logInfo(message: string, quiet = false): void {
  if (!quiet) console.log(message);
}
