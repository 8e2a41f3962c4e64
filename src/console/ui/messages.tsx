/**
 * The message browser: a topic's partition from an offset, a time, the
 * oldest or the newest records; keys, values and headers shown as text,
 * JSON, base64 or hex (one toggle for all); and a live tail of new records.
 */
import { useState } from "preact/hooks";
import { ErrorBox } from "./error-box";
import { useLoad } from "./hooks";
import { type Found, Finder } from "./finder";
import { LiveTail } from "./live-tail";
import { RecordList } from "./record-list";
import { href, navigate } from "./router";
import type { Session } from "./session";
import { type View, VIEWS } from "./decode";
import { Field, Page, Section } from "./ui";

export function MessagesPage(props: { session: Session; topic: string | null; partition: number | null; offset: number | null }) {
  const { session, topic } = props;
  const topics = useLoad(() => session.admin.listTopics(), [session]);
  const [view, setView] = useState<View>("string");
  const [partition, setPartition] = useState(props.partition ?? 0);
  const names = (topics.data ?? []).map((t) => t.topic_name as string).sort();
  const count = (topics.data ?? []).find((t) => t.topic_name === topic)?.partitions_count as number | undefined;
  return (
    <Page title={topic === null ? "Messages" : `Messages of ${topic}`}>
      <ErrorBox error={topics.error} />
      <div class="toolbar">
        <Field label="Topic">
          <select name="topic" value={topic ?? ""} onChange={(e) => navigate(href.messages(e.currentTarget.value))}>
            <option value="" disabled>
              Choose a topic
            </option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        <ViewToggle view={view} onView={setView} />
      </div>
      {topic === null || count === undefined ? (
        topics.data !== undefined && topic !== null ? <p>There is no topic '{topic}' (or you may not describe it).</p> : null
      ) : (
        <Browser session={session} topic={topic} partitions={count} partition={partition} onPartition={setPartition} offset={props.offset} view={view} />
      )}
    </Page>
  );
}

function Browser(props: { session: Session; topic: string; partitions: number; partition: number; onPartition: (p: number) => void; offset: number | null; view: View }) {
  const [found, setFound] = useState<Found | null>(null);
  return (
    <>
      <Section title="Find messages">
        <Finder
          session={props.session}
          topic={props.topic}
          partitions={props.partitions}
          partition={props.partition}
          onPartition={props.onPartition}
          offset={props.offset}
          onFound={setFound}
        />
        {found === null ? null : (
          <>
            <p class="muted" role="status">
              {found.records.length === 0
                ? `No records from offset ${found.start} (log start ${found.logStart}, high watermark ${found.highWatermark}).`
                : `Offsets ${found.records[0]!.offset}–${found.records[found.records.length - 1]!.offset} of partition ${found.partition} (log start ${found.logStart}, high watermark ${found.highWatermark}).`}
            </p>
            <RecordList records={found.records} view={props.view} label="Found records" />
          </>
        )}
      </Section>
      <LiveTail session={props.session} topic={props.topic} partition={props.partition} view={props.view} />
    </>
  );
}

function ViewToggle({ view, onView }: { view: View; onView: (v: View) => void }) {
  return (
    <fieldset class="toggle">
      <legend>Show keys, values and headers as</legend>
      {VIEWS.map((v) => (
        <label key={v.value}>
          <input type="radio" name="view" value={v.value} checked={view === v.value} onChange={() => onView(v.value)} />
          {v.label}
        </label>
      ))}
    </fieldset>
  );
}
