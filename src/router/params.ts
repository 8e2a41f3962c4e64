/** Reading numbers from paths and query strings, with clear 400s. */
import { ErrorCode, RunnelError } from "../errors";

/** A non-negative integer from a path or query value; `fallback` when absent. */
export function intParam(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined || value === "") {
    if (fallback !== undefined) return fallback;
    throw new RunnelError(ErrorCode.BAD_REQUEST, `${name} is required`);
  }
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `${name} must be a non-negative integer, got '${value}'`);
  }
  return Number(value);
}

/** `intParam` capped at `max` (inclusive), refusing values above it. */
export function boundedIntParam(name: string, value: string | undefined, fallback: number, max: number): number {
  const n = intParam(name, value, fallback);
  if (n > max) throw new RunnelError(ErrorCode.BAD_REQUEST, `${name} must be at most ${max}, got ${n}`);
  return n;
}
