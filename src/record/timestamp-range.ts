/** The record timestamps Runnel stores, on every path that writes records (JSON produce, record batches). */
import { limits } from "../limits";

/** Whether `ms` is a timestamp Runnel stores: an integer of epoch milliseconds in [0, limits.timestampMsMax], both inclusive. */
export function isTimestampMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= limits.timestampMsMax;
}
