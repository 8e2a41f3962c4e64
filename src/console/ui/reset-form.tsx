/**
 * Resets a group's committed offsets of one topic (some or all of its
 * partitions) to the earliest or latest offset, an offset, or a time.
 * The API allows it only while the group has no live members; the form
 * says so, but sends anyway and shows the API's answer (40903) as it comes.
 */
import { useState } from "preact/hooks";
import type { OffsetReset } from "../../client/admin";
import { ErrorBox, InputError } from "./error-box";
import { useAction } from "./hooks";
import type { Session } from "./session";
import { Field, formatCount, onSubmit, Table } from "./ui";

type Row = Record<string, any>;

/** The reset request the form's fields describe; throws InputError for fields that are not numbers. */
function resetOf(topic: string, partitionsText: string, to: OffsetReset["to"], offsetText: string, timeText: string): OffsetReset {
  const reset: OffsetReset = { topic, to };
  if (partitionsText.trim() !== "") {
    const parts = partitionsText.split(",").map((p) => p.trim());
    if (!parts.every((p) => /^\d{1,9}$/.test(p))) throw new InputError("Partitions: numbers separated by commas, or empty for every partition.");
    reset.partitions = parts.map(Number);
  }
  if (to === "offset") {
    if (!/^\d{1,15}$/.test(offsetText.trim())) throw new InputError("Enter an offset: a whole number, 0 or more.");
    reset.offset = Number(offsetText.trim());
  }
  if (to === "timestamp") {
    const ms = new Date(timeText).getTime();
    if (timeText === "" || !Number.isFinite(ms)) throw new InputError("Enter a date and time.");
    reset.timestamp = ms;
  }
  return reset;
}

export function ResetForm(props: { session: Session; group: string; topics: string[]; live: number; onReset: () => void }) {
  const [topic, setTopic] = useState("");
  const [partitions, setPartitions] = useState("");
  const [to, setTo] = useState<OffsetReset["to"]>("earliest");
  const [offset, setOffset] = useState("");
  const [time, setTime] = useState("");
  const [result, setResult] = useState<Row[] | null>(null);
  const chosen = topic !== "" ? topic : (props.topics[0] ?? "");
  const reset = useAction(async () => {
    setResult(null);
    const answer = await props.session.admin.resetOffsets(props.group, resetOf(chosen, partitions, to, offset, time));
    setResult(Array.isArray(answer.data) ? answer.data : []);
    props.onReset();
  });
  return (
    <>
      {props.live > 0 ? <p class="warn-text">The group has live members: the server refuses a reset until they leave.</p> : null}
      <form class="inline-form" onSubmit={onSubmit(() => void reset.run())}>
        <Field label="Topic">
          <input name="topic" list="reset-topics" value={chosen} onInput={(e) => setTopic(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </Field>
        <datalist id="reset-topics">
          {props.topics.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Field label="Partitions" hint="e.g. 0,2 — empty: all">
          <input name="partitions" value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} autoComplete="off" />
        </Field>
        <Field label="Reset to">
          <select name="to" value={to} onChange={(e) => setTo(e.currentTarget.value as OffsetReset["to"])}>
            <option value="earliest">Earliest</option>
            <option value="latest">Latest</option>
            <option value="offset">Offset</option>
            <option value="timestamp">Time</option>
          </select>
        </Field>
        {to === "offset" ? (
          <Field label="Offset">
            <input name="offset" inputMode="numeric" value={offset} onInput={(e) => setOffset(e.currentTarget.value)} autoComplete="off" />
          </Field>
        ) : null}
        {to === "timestamp" ? (
          <Field label="Time (local)">
            <input name="time" type="datetime-local" step="0.001" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
          </Field>
        ) : null}
        <div class="row">
          <button type="submit" class="primary" disabled={reset.busy}>
            Reset offsets
          </button>
        </div>
      </form>
      <ErrorBox error={reset.error} />
      {result === null ? null : <ResetResult rows={result} />}
    </>
  );
}

function ResetResult({ rows }: { rows: Row[] }) {
  return (
    <div role="status">
      <p class="done">Reset {rows.length} partition{rows.length === 1 ? "" : "s"}:</p>
      <Table label="New committed offsets" head={["Topic", "Partition", "New offset"]}>
        {rows.map((r) => (
          <tr key={`${r.topic_name}/${r.partition_id}`}>
            <td>{r.topic_name}</td>
            <td class="num">{r.partition_id}</td>
            <td class="num">{formatCount(r.offset)}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
