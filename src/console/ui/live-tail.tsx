/** The message browser's live tail: new records of the partition as they are appended (Server-Sent Events, tail.ts). */
import { useEffect, useState } from "preact/hooks";
import type { RunnelError } from "../../client/errors";
import type { View } from "./decode";
import { ErrorBox } from "./error-box";
import { type BrowsedRecord, fromWire, RecordList } from "./record-list";
import type { Session } from "./session";
import { startTail } from "./tail";
import { Section } from "./ui";

/** Records the tail keeps (the newest). */
const TAIL_RECORDS_MAX = 200;

export function LiveTail({ session, topic, partition, view }: { session: Session; topic: string; partition: number; view: View }) {
  const [on, setOn] = useState(false);
  const [state, setState] = useState<"off" | "connecting" | "live" | "reconnecting">("off");
  const [records, setRecords] = useState<BrowsedRecord[]>([]);
  const [received, setReceived] = useState(0);
  const [error, setError] = useState<RunnelError | null>(null);
  // A different partition is a different tail.
  useEffect(() => {
    setRecords([]);
    setReceived(0);
    if (!on) return setState("off");
    setError(null);
    const stop = startTail(session, topic, partition, null, {
      records: (wire) => {
        const got = wire.map(fromWire).reverse();
        setRecords((old) => [...got, ...old].slice(0, TAIL_RECORDS_MAX));
        setReceived((n) => n + got.length);
      },
      failed: (e) => {
        setError(e);
        setOn(false);
      },
      state: setState,
    });
    return stop;
  }, [on, session, topic, partition]);
  const status = { off: "Stopped.", connecting: "Connecting…", live: "Live: new records appear here as they are appended.", reconnecting: "Connection lost; reconnecting…" }[state];
  return (
    <Section
      title={`Live tail of partition ${partition}`}
      actions={
        <button type="button" class={on ? "" : "primary"} aria-pressed={on} onClick={() => setOn(!on)}>
          {on ? "Stop live tail" : "Start live tail"}
        </button>
      }
    >
      <p class="muted" role="status">
        {status} {received > 0 ? `${received} new record${received === 1 ? "" : "s"} received.` : ""}
      </p>
      <ErrorBox error={error} />
      <RecordList records={records} view={view} label="Live records, newest first" />
    </Section>
  );
}
