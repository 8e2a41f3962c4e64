// The soak's history: every operation and its outcome, one JSON object a
// line, in the order they happened (`at`: ms since the start). Kept in
// memory for the checker and written to a file as it grows, so a run that
// dies still leaves what it did.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export class History {
  /** `path`: the JSON-lines file (created afresh). */
  constructor(path) {
    this.path = path;
    this.events = [];
    this.startedMs = Date.now();
    this.pending = [];
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
  }

  /** Records one event (`type` says what it is; the checker reads the types it knows). */
  record(event) {
    const e = { at: Date.now() - this.startedMs, ...event };
    this.events.push(e);
    this.pending.push(JSON.stringify(e));
    if (this.pending.length >= 200) this.flush();
  }

  /** Writes what is not written yet. */
  flush() {
    if (this.pending.length === 0) return;
    appendFileSync(this.path, `${this.pending.join("\n")}\n`);
    this.pending = [];
  }
}

/** The events of a history file. */
export function readHistory(path) {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}
