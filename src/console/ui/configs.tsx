/**
 * A topic's configs, editable in place: changed values are sent together
 * (`configs:alter`, all or nothing) and the API validates them; its
 * refusal is shown as written. Escape in a field puts its value back;
 * "Default" sets a config back to the server's default.
 */
import { useState } from "preact/hooks";
import { ErrorBox } from "./error-box";
import { useAction, useLoad } from "./hooks";
import type { Session } from "./session";
import { Done, onSubmit, Section, Table } from "./ui";

type Row = Record<string, any>;

export function ConfigsSection({ session, topic }: { session: Session; topic: string }) {
  const configs = useLoad(() => session.admin.configs(topic), [session, topic]);
  const [edits, setEdits] = useState<Record<string, string | null>>({});
  const [done, setDone] = useState<string | null>(null);
  const save = useAction((changes: Record<string, string | null>) => session.admin.alterConfigs(topic, changes));
  const changed = Object.keys(edits);
  const apply = async (changes: Record<string, string | null>) => {
    setDone(null);
    if (await save.run(changes)) {
      setEdits({});
      setDone(`Saved ${Object.keys(changes).join(", ")}.`);
      configs.reload();
    }
  };
  const edit = (name: string, value: string | undefined) =>
    setEdits((e) => {
      const next = { ...e };
      if (value === undefined) delete next[name];
      else next[name] = value;
      return next;
    });
  return (
    <Section title="Configs">
      <ErrorBox error={configs.error} />
      <form onSubmit={onSubmit(() => apply(edits))}>
        <Table label={`Configs of ${topic}`} head={["Config", "Value", "Source"]}>
          {(configs.data ?? []).map((c) => (
            <ConfigRow key={c.name} config={c} edited={edits[c.name]} onEdit={(v) => edit(c.name, v)} onDefault={() => apply({ [c.name]: null })} busy={save.busy} />
          ))}
        </Table>
        <div class="row">
          <button type="submit" class="primary" disabled={save.busy || changed.length === 0}>
            Save {changed.length === 0 ? "" : `${changed.length} change${changed.length === 1 ? "" : "s"}`}
          </button>
          {changed.length > 0 ? (
            <button type="button" onClick={() => setEdits({})}>
              Discard
            </button>
          ) : null}
        </div>
        <ErrorBox error={save.error} />
        <Done text={done} />
      </form>
    </Section>
  );
}

function ConfigRow(props: { config: Row; edited: string | null | undefined; onEdit: (v: string | undefined) => void; onDefault: () => void; busy: boolean }) {
  const { config: c, edited } = props;
  const value = edited ?? (c.value as string | null) ?? "";
  return (
    <tr class={edited === undefined ? undefined : "edited"}>
      <th scope="row">
        <label for={`config-${c.name}`}>{c.name}</label>
      </th>
      <td>
        <input
          id={`config-${c.name}`}
          value={value}
          readOnly={c.is_read_only === true}
          spellcheck={false}
          autoComplete="off"
          onInput={(e) => props.onEdit(e.currentTarget.value === (c.value ?? "") ? undefined : e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" && edited !== undefined) {
              e.preventDefault();
              props.onEdit(undefined);
            }
          }}
        />
      </td>
      <td>
        {c.is_default ? <span class="muted">default</span> : <span class="badge">set</span>}{" "}
        {c.is_default || c.is_read_only ? null : (
          <button type="button" class="quiet" disabled={props.busy} onClick={props.onDefault} aria-label={`Set ${c.name} back to its default`}>
            Default
          </button>
        )}
      </td>
    </tr>
  );
}
