/**
 * Record timestamps as clients give them: epoch milliseconds (a number, or
 * a string of digits) or an RFC 3339 date-time. Every accepted timestamp
 * lies in [0, limits.timestampMsMax] (both inclusive), so it can be
 * written in a record batch exactly and reported back as RFC 3339.
 */
import { limits } from "../limits";
import { isTimestampMs } from "../record/timestamp-range";

export { isTimestampMs } from "../record/timestamp-range";

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const EPOCH_MS = /^\d{1,16}$/;

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch milliseconds of an RFC 3339 date-time, or NaN when it is not one
 * (a day the month does not have, an hour past 23, an offset past 23:59).
 * Fractions finer than a millisecond are cut; a leap second (`:60`) counts
 * as the second before it, as Java's Instant does.
 */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (m === null) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 60) return NaN;
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return NaN;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const seconds = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMin) * 60 + Math.min(second, 59);
  return seconds * 1000 + ms;
}

/**
 * A client's timestamp (epoch ms as a number or a string of digits, or
 * RFC 3339) in epoch ms, or a sentence saying what is wrong with it.
 */
export function parseTimestamp(spec: unknown): number | string {
  const range = `from 0 to ${limits.timestampMsMax} (the end of year 9999)`;
  if (typeof spec === "number") {
    return isTimestampMs(spec) ? spec : `timestamp must be an integer of epoch milliseconds ${range}, got ${spec}`;
  }
  if (typeof spec !== "string") return "timestamp must be epoch milliseconds or an RFC 3339 string";
  const ms = EPOCH_MS.test(spec) ? Number(spec) : parseRfc3339(spec);
  if (Number.isNaN(ms)) return `timestamp '${spec.slice(0, 64)}' is neither epoch milliseconds nor an RFC 3339 date-time`;
  return isTimestampMs(ms) ? ms : `timestamp '${spec.slice(0, 64)}' is outside the accepted range: epoch milliseconds ${range}`;
}
