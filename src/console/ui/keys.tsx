/**
 * API keys: create one (its secret is shown once, here, and forgotten
 * when dismissed), list them (never with secrets), disable or enable,
 * delete.
 */
import { useState } from "preact/hooks";
import { ErrorBox } from "./error-box";
import { useAction, useLoad } from "./hooks";
import type { Session } from "./session";
import { ConfirmButton, Field, onSubmit, Section, Table } from "./ui";

type Row = Record<string, any>;

export function KeysSection({ session }: { session: Session }) {
  const keys = useLoad(() => session.admin.listKeys(), [session]);
  const change = useAction(async (act: () => Promise<unknown>) => {
    await act();
    keys.reload();
  });
  return (
    <Section title="API keys">
      <CreateKey session={session} onCreated={keys.reload} />
      <ErrorBox error={keys.error ?? change.error} />
      <Table label="API keys" head={["Key id", "Principal", "Description", "Created", "State", "Actions"]}>
        {(keys.data ?? []).map((k: Row) => (
          <tr key={k.key_id}>
            <td>
              <code>{k.key_id}</code>
            </td>
            <td>{k.principal}</td>
            <td>{k.description || <span class="muted">none</span>}</td>
            <td>{k.created_at}</td>
            <td>{k.disabled ? <span class="warn-text">disabled</span> : "enabled"}</td>
            <td class="actions">
              <button type="button" disabled={change.busy} onClick={() => change.run(() => session.admin.setKeyDisabled(k.key_id, !k.disabled))}>
                {k.disabled ? "Enable" : "Disable"}
                <span class="visually-hidden"> key {k.key_id}</span>
              </button>
              <ConfirmButton
                label="Delete"
                ariaLabel={`Delete key ${k.key_id}`}
                title={`Delete key ${k.key_id}?`}
                question={`Requests with key ${k.key_id} (${k.principal}) are refused from now on. This cannot be undone.`}
                confirm="Delete key"
                disabled={change.busy}
                onConfirm={() => void change.run(() => session.admin.deleteKey(k.key_id))}
              />
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}

function CreateKey({ session, onCreated }: { session: Session; onCreated: () => void }) {
  const [principal, setPrincipal] = useState("User:");
  const [description, setDescription] = useState("");
  const [made, setMade] = useState<Row | null>(null);
  const create = useAction(async () => {
    setMade(await session.admin.createKey(principal.trim(), description.trim() === "" ? undefined : description.trim()));
    onCreated();
  });
  return (
    <>
      <form class="inline-form" onSubmit={onSubmit(() => void create.run())}>
        <Field label="Principal" hint="User:name">
          <input name="principal" value={principal} onInput={(e) => setPrincipal(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </Field>
        <Field label="Description" hint="optional">
          <input name="description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} autoComplete="off" />
        </Field>
        <div class="row">
          <button type="submit" class="primary" disabled={create.busy}>
            Create key
          </button>
        </div>
      </form>
      <ErrorBox error={create.error} />
      {made === null ? null : <NewSecret made={made} onDismiss={() => setMade(null)} />}
    </>
  );
}

function NewSecret({ made, onDismiss }: { made: Row; onDismiss: () => void }) {
  const key = `${made.key_id}.${made.secret}`;
  const [copied, setCopied] = useState<string | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(key).then(
      () => setCopied("Copied."),
      () => setCopied("The browser refused the clipboard: select the key and copy it."),
    );
  return (
    <div class="secret" role="status">
      <p>
        Key for <strong>{made.principal}</strong> created. Its secret is shown <strong>only now</strong>: copy the whole key and keep it safe.
      </p>
      <Field label="New API key" wide>
        <input name="new_key" readOnly value={key} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
      </Field>
      <div class="row">
        <button type="button" onClick={copy}>
          Copy key
        </button>
        <button type="button" onClick={onDismiss}>
          Done, hide it
        </button>
        <span>{copied}</span>
      </div>
    </div>
  );
}
