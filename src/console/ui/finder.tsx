/** The message browser's search: partition, and where to start (offset, time, oldest, newest); pages onwards. */
import { useEffect, useState } from "preact/hooks";
import type { Session } from "./session";
import { ErrorBox, InputError } from "./error-box";
import { useAction } from "./hooks";
import type { BrowsedRecord } from "./record-list";
import { Field, onSubmit } from "./ui";

/** Records shown at once. */
export const PAGE_RECORDS = 50;

export interface Found {
  partition: number;
  start: number;
  records: BrowsedRecord[];
  /** Where the next page starts. */
  next: number;
  logStart: number;
  highWatermark: number;
}

type From = "offset" | "time" | "oldest" | "newest";

async function startOffset(session: Session, topic: string, partition: number, from: From, offsetText: string, timeText: string): Promise<number> {
  if (from === "offset") {
    if (!/^\d{1,15}$/.test(offsetText.trim())) throw new InputError("Enter an offset: a whole number, 0 or more.");
    return Number(offsetText.trim());
  }
  if (from === "time") {
    const ms = new Date(timeText).getTime();
    if (timeText === "" || !Number.isFinite(ms)) throw new InputError("Enter a date and time.");
    return session.admin.offsetForTime(topic, partition, ms);
  }
  const offsets = (await session.admin.offsets(topic)).find((o) => o.partition === partition);
  if (offsets === undefined) throw new InputError(`The topic has no partition ${partition}.`);
  return from === "oldest" ? offsets.earliest : Math.max(offsets.earliest, offsets.latest - PAGE_RECORDS);
}

/** One page of records of `partition` from `start` (inclusive). */
async function pageFrom(session: Session, topic: string, partition: number, start: number): Promise<Found> {
  const fetched = await session.runnel.fetch(topic, partition, start, { format: "binary", maxBytes: 256 * 1024 });
  const records = (fetched.records as unknown as BrowsedRecord[]).slice(0, PAGE_RECORDS);
  const next = records.length === PAGE_RECORDS ? records[PAGE_RECORDS - 1]!.offset + 1 : fetched.nextOffset;
  return { partition, start, records, next, logStart: fetched.logStartOffset, highWatermark: fetched.highWatermark };
}

export interface FinderProps {
  session: Session;
  topic: string;
  partitions: number;
  partition: number;
  onPartition: (p: number) => void;
  /** An offset to show at once (a link to a record). */
  offset: number | null;
  onFound: (found: Found | null) => void;
}

export function Finder(props: FinderProps) {
  const { session, topic, partition } = props;
  const [from, setFrom] = useState<From>(props.offset === null ? "newest" : "offset");
  const [offsetText, setOffsetText] = useState(props.offset === null ? "0" : String(props.offset));
  const [timeText, setTimeText] = useState("");
  const [found, setFound] = useState<Found | null>(null);
  const search = useAction(async (start?: number) => {
    const at = start ?? (await startOffset(session, topic, partition, from, offsetText, timeText));
    const page = await pageFrom(session, topic, partition, at);
    setFound(page);
    props.onFound(page);
  });
  // A link to a record shows it at once.
  useEffect(() => {
    if (props.offset !== null) void search.run(props.offset);
  }, []);
  return (
    <>
      <form class="inline-form" onSubmit={onSubmit(() => void search.run())}>
        <Field label="Partition">
          <select name="partition" value={String(partition)} onChange={(e) => props.onPartition(Number(e.currentTarget.value))}>
            {Array.from({ length: props.partitions }, (_, p) => (
              <option key={p} value={String(p)}>
                {p}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From">
          <select name="from" value={from} onChange={(e) => setFrom(e.currentTarget.value as From)}>
            <option value="newest">Newest {PAGE_RECORDS}</option>
            <option value="oldest">Oldest (log start)</option>
            <option value="offset">Offset</option>
            <option value="time">Time</option>
          </select>
        </Field>
        {from === "offset" ? (
          <Field label="Offset">
            <input name="offset" inputMode="numeric" value={offsetText} onInput={(e) => setOffsetText(e.currentTarget.value)} autoComplete="off" />
          </Field>
        ) : null}
        {from === "time" ? (
          <Field label="Time (local)">
            <input name="time" type="datetime-local" step="0.001" value={timeText} onInput={(e) => setTimeText(e.currentTarget.value)} />
          </Field>
        ) : null}
        <div class="row">
          <button type="submit" class="primary" disabled={search.busy}>
            Show messages
          </button>
          {found !== null && found.next < found.highWatermark ? (
            <button type="button" disabled={search.busy} onClick={() => void search.run(found.next)}>
              Next {PAGE_RECORDS}
            </button>
          ) : null}
        </div>
      </form>
      <ErrorBox error={search.error} />
    </>
  );
}
