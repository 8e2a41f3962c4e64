/** ACLs: the list, a form to add one, and delete (each row deletes exactly that ACL). */
import { useState } from "preact/hooks";
import type { Acl } from "../../client/admin";
import { ErrorBox } from "./error-box";
import { useAction, useLoad } from "./hooks";
import type { Session } from "./session";
import { Field, onSubmit, Section, Table } from "./ui";

const OPERATIONS = ["ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"];

export function AclsSection({ session }: { session: Session }) {
  const acls = useLoad(() => session.admin.listAcls(), [session]);
  const del = useAction(async (acl: Acl) => {
    await session.admin.deleteAcls(acl);
    acls.reload();
  });
  const fields = (a: Record<string, any>): Acl => ({
    resource_type: a.resource_type,
    resource_name: a.resource_name,
    pattern_type: a.pattern_type,
    principal: a.principal,
    host: a.host,
    operation: a.operation,
    permission: a.permission,
  });
  return (
    <Section title="ACLs">
      <AddAcl session={session} onAdded={acls.reload} />
      <ErrorBox error={acls.error ?? del.error} />
      <Table label="ACLs" head={["Resource", "Name", "Pattern", "Principal", "Operation", "Permission", "Delete"]}>
        {(acls.data ?? []).map((a) => {
          const acl = fields(a);
          const what = `${acl.permission} ${acl.principal} ${acl.operation} on ${acl.resource_type} ${acl.resource_name}`;
          return (
            <tr key={JSON.stringify(acl)}>
              <td>{acl.resource_type}</td>
              <td>{acl.resource_name}</td>
              <td>{acl.pattern_type}</td>
              <td>{acl.principal}</td>
              <td>{acl.operation}</td>
              <td>{acl.permission}</td>
              <td>
                <button type="button" class="danger" disabled={del.busy} onClick={() => void del.run(acl)} aria-label={`Delete ACL: ${what}`}>
                  Delete
                </button>
              </td>
            </tr>
          );
        })}
      </Table>
    </Section>
  );
}

function Select({ label, name, value, options, onChange }: { label: string; name: string; value: string; options: string[]; onChange: (v: string) => void }) {
  return (
    <Field label={label}>
      <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </Field>
  );
}

function AddAcl({ session, onAdded }: { session: Session; onAdded: () => void }) {
  const [acl, setAcl] = useState<Acl>({ resource_type: "TOPIC", resource_name: "", pattern_type: "LITERAL", principal: "User:", operation: "READ", permission: "ALLOW" });
  const set = (field: keyof Acl) => (value: string) => setAcl((a) => ({ ...a, [field]: value }));
  const add = useAction(async () => {
    await session.admin.createAcl(acl);
    onAdded();
  });
  return (
    <>
      <form class="inline-form" onSubmit={onSubmit(() => void add.run())}>
        <Select label="Resource type" name="resource_type" value={acl.resource_type} options={["TOPIC", "GROUP", "CLUSTER"]} onChange={set("resource_type")} />
        <Field label="Resource name" hint="* with LITERAL: every name; the cluster is kafka-cluster">
          <input name="resource_name" value={acl.resource_name} onInput={(e) => set("resource_name")(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </Field>
        <Select label="Pattern" name="pattern_type" value={acl.pattern_type ?? "LITERAL"} options={["LITERAL", "PREFIXED"]} onChange={set("pattern_type")} />
        <Field label="Principal" hint="User:name, or User:* for everyone">
          <input name="acl_principal" value={acl.principal} onInput={(e) => set("principal")(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </Field>
        <Select label="Operation" name="operation" value={acl.operation} options={OPERATIONS} onChange={set("operation")} />
        <Select label="Permission" name="permission" value={acl.permission} options={["ALLOW", "DENY"]} onChange={set("permission")} />
        <div class="row">
          <button type="submit" class="primary" disabled={add.busy}>
            Add ACL
          </button>
        </div>
      </form>
      <ErrorBox error={add.error} />
    </>
  );
}
