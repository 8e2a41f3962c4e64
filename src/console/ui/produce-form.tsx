/**
 * Produce one message from the page, through the client's producer (a
 * Kafka record batch, idempotent): partition (or Kafka's partitioner by
 * key), key, value and headers, each in the format chosen.
 */
import { useState } from "preact/hooks";
import { ErrorBox } from "./error-box";
import { useAction } from "./hooks";
import { INPUT_FORMATS, type InputFormat, payloadOf } from "./payload";
import { href } from "./router";
import type { Session } from "./session";
import { Field, onSubmit } from "./ui";

interface Header {
  id: number;
  name: string;
  value: string;
}

let headerIds = 0;

export function ProduceForm(props: { session: Session; topic: string; partitions: number; onProduced: () => void }) {
  const [partition, setPartition] = useState("");
  const [key, setKey] = useState("");
  const [keyFormat, setKeyFormat] = useState<InputFormat>("string");
  const [value, setValue] = useState("");
  const [valueFormat, setValueFormat] = useState<InputFormat>("string");
  const [headers, setHeaders] = useState<Header[]>([]);
  const [placed, setPlaced] = useState<{ partition: number; offset: number } | null>(null);
  const send = useAction(async () => {
    const record = {
      key: key === "" && keyFormat === "string" ? null : payloadOf(key, keyFormat, "key"),
      value: payloadOf(value, valueFormat, "value"),
      headers: headers.filter((h) => h.name !== "").map((h) => ({ name: h.name, value: h.value })),
      ...(partition === "" ? {} : { partition: Number(partition) }),
    };
    // A page waits for its answer: give up sooner than a service would (120 s).
    const producer = props.session.runnel.producer({ lingerMs: 0, deliveryTimeoutMs: 15_000 });
    try {
      const [where] = await producer.send(props.topic, [record]);
      setPlaced(where ?? null);
    } finally {
      await producer.close().catch(() => undefined); // its send already reported the outcome
    }
    props.onProduced();
  });
  return (
    <form class="stack" onSubmit={onSubmit(() => {
      setPlaced(null);
      void send.run();
    })}>
      <Field label="Partition">
        <select name="partition" value={partition} onChange={(e) => setPartition(e.currentTarget.value)}>
          <option value="">By key (Kafka's partitioner)</option>
          {Array.from({ length: props.partitions }, (_, p) => (
            <option key={p} value={String(p)}>
              {p}
            </option>
          ))}
        </select>
      </Field>
      <PayloadField label="Key" text={key} onText={setKey} format={keyFormat} onFormat={setKeyFormat} hint="empty: no key" />
      <PayloadField label="Value" text={value} onText={setValue} format={valueFormat} onFormat={setValueFormat} multiline />
      <HeadersEditor headers={headers} onChange={setHeaders} />
      <div class="row">
        <button type="submit" class="primary" disabled={send.busy}>
          Produce
        </button>
      </div>
      <ErrorBox error={send.error} />
      <p class="done" role="status">
        {placed === null ? null : (
          <>
            Produced to partition {placed.partition} at offset {placed.offset}.{" "}
            <a href={href.messages(props.topic, placed.partition, placed.offset)}>Show it</a>
          </>
        )}
      </p>
    </form>
  );
}

function PayloadField(props: { label: string; text: string; onText: (t: string) => void; format: InputFormat; onFormat: (f: InputFormat) => void; multiline?: boolean; hint?: string }) {
  const name = props.label.toLowerCase();
  return (
    <div class="payload">
      <Field label={props.label} hint={props.hint} wide>
        {props.multiline ? (
          <textarea name={name} rows={4} value={props.text} spellcheck={false} disabled={props.format === "null"} onInput={(e) => props.onText(e.currentTarget.value)} />
        ) : (
          <input name={name} value={props.text} spellcheck={false} autoComplete="off" disabled={props.format === "null"} onInput={(e) => props.onText(e.currentTarget.value)} />
        )}
      </Field>
      <Field label={`${props.label} format`}>
        <select name={`${name}_format`} value={props.format} onChange={(e) => props.onFormat(e.currentTarget.value as InputFormat)}>
          {INPUT_FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

function HeadersEditor({ headers, onChange }: { headers: Header[]; onChange: (h: Header[]) => void }) {
  const update = (id: number, change: Partial<Header>) => onChange(headers.map((h) => (h.id === id ? { ...h, ...change } : h)));
  return (
    <fieldset class="headers">
      <legend>Headers</legend>
      {headers.map((h, i) => (
        <div class="row" key={h.id}>
          <Field label={`Header ${i + 1} name`}>
            <input value={h.name} autoComplete="off" spellcheck={false} onInput={(e) => update(h.id, { name: e.currentTarget.value })} />
          </Field>
          <Field label={`Header ${i + 1} value`} hint="UTF-8 text">
            <input value={h.value} autoComplete="off" spellcheck={false} onInput={(e) => update(h.id, { value: e.currentTarget.value })} />
          </Field>
          <button type="button" class="quiet" onClick={() => onChange(headers.filter((x) => x.id !== h.id))} aria-label={`Remove header ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...headers, { id: ++headerIds, name: "", value: "" }])}>
        Add header
      </button>
    </fieldset>
  );
}
