/** What every command shares: the client made from --url / --key, and output for people (tables) or scripts (--json). */
import Table from "cli-table3";
import { Runnel } from "../client/runnel";

export interface GlobalOptions {
  url: string;
  key?: string;
  json?: boolean;
}

/** The client for these options. */
export function clientOf(o: GlobalOptions): Runnel {
  return new Runnel({ url: o.url, key: o.key });
}

/** Prints `value` as JSON (--json) or, for people, as `human` renders it. */
export function print(o: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(o.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** A table of `rows` with these columns (a column is a header and how to show a row's cell). */
export function table<R>(rows: R[], columns: [string, (row: R) => unknown][]): string {
  const t = new Table({ head: columns.map(([h]) => h), style: { head: [], border: [] } });
  for (const row of rows) t.push(columns.map(([, cell]) => show(cell(row))));
  return t.toString();
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(show).join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Repeatable `k=v` options collected into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `k=v` pairs as an object; a pair without `=` is a usage error. */
export function pairs(list: string[] = [], what = "a setting"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`${what} must be name=value, got '${item}'`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** A mistake in how the command was called (exit status 2). */
export class UsageError extends Error {}

/** A non-negative integer option. */
export function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}
