/** Records as the message browser shows them: position and time, then key, value and headers in the chosen view. */
import { fromBase64 } from "../../bytes/base64";
import type { WireRecord } from "../../client/consumer-state";
import { show, type View } from "./decode";
import { formatTime } from "./ui";

/** A record with its bytes (null: no key or value). */
export interface BrowsedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: { name: string; value: Uint8Array | null }[];
}

/** A record as the API sends it with format=binary (base64 fields). */
export function fromWire(r: WireRecord): BrowsedRecord {
  const bytes = (b64: string | null) => (b64 === null ? null : fromBase64(b64));
  return { partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: bytes(r.key), value: bytes(r.value), headers: r.headers.map((h) => ({ name: h.name, value: bytes(h.value) })) };
}

function Bytes({ bytes, view, label }: { bytes: Uint8Array | null; view: View; label: string }) {
  const shown = show(bytes, view);
  return (
    <>
      <pre class={shown.isNull ? "bytes null" : "bytes"} data-field={label}>
        {shown.text}
      </pre>
      {shown.note === null ? null : <span class="note">{shown.note}</span>}
    </>
  );
}

function RecordItem({ record, view }: { record: BrowsedRecord; view: View }) {
  return (
    <li class="record" data-offset={record.offset} data-partition={record.partition}>
      <p class="record-head">
        <span>
          Partition <strong>{record.partition}</strong>
        </span>{" "}
        <span>
          Offset <strong>{record.offset}</strong>
        </span>{" "}
        <time dateTime={new Date(record.timestamp).toISOString()}>{formatTime(record.timestamp)}</time>
      </p>
      <dl>
        <dt>Key</dt>
        <dd>
          <Bytes bytes={record.key} view={view} label="key" />
        </dd>
        <dt>Value</dt>
        <dd>
          <Bytes bytes={record.value} view={view} label="value" />
        </dd>
        <dt>Headers</dt>
        <dd>
          {record.headers.length === 0 ? (
            <span class="muted">none</span>
          ) : (
            <ul class="headers-list">
              {/* Header names may repeat; their order is the record's: keyed by position. */}
              {record.headers.map((h, i) => (
                <li key={i}>
                  <span class="header-name">{h.name}</span>
                  <Bytes bytes={h.value} view={view} label={`header ${h.name}`} />
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </li>
  );
}

/** A list of records (`label` names it for screen readers). */
export function RecordList({ records, view, label }: { records: BrowsedRecord[]; view: View; label: string }) {
  return (
    <ol class="records" aria-label={label}>
      {records.map((r) => (
        <RecordItem key={`${r.partition}:${r.offset}`} record={r} view={view} />
      ))}
    </ol>
  );
}
