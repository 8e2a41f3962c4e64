/** `runnel keys …` and `runnel acls …` (admin only: ALTER on the cluster). */
import type { Command } from "commander";
import type { Acl } from "../client/admin";
import { clientOf, type GlobalOptions, print, table } from "./context";

const keyColumns: [string, (k: Record<string, any>) => unknown][] = [
  ["key id", (k) => k.key_id],
  ["principal", (k) => k.principal],
  ["description", (k) => k.description],
  ["created", (k) => k.created_at],
  ["disabled", (k) => (k.disabled ? "yes" : "")],
];

export function keyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command("keys").description("API keys: list, create, describe, enable, disable, delete");
  const admin = () => clientOf(globals()).admin();

  keys.command("list").description("every key (never the secrets)").action(async () => {
    const rows = await admin().listKeys();
    print(globals(), rows, () => table(rows, keyColumns));
  });
  keys
    .command("create <principal>")
    .description("a key for a principal (User:name); the secret is shown only now")
    .option("-d, --description <text>", "what the key is for")
    .action(async (principal: string, opts: { description?: string }) => {
      const k = await admin().createKey(principal, opts.description);
      print(globals(), k, () => `${table([k], keyColumns)}\nkey: ${k.key_id}.${k.secret}\n(the secret is shown only this once)`);
    });
  keys.command("describe <id>").action(async (id: string) => {
    const k = await admin().describeKey(id);
    print(globals(), k, () => table([k], keyColumns));
  });
  for (const [name, disabled] of [["disable", true], ["enable", false]] as const) {
    keys.command(`${name} <id>`).action(async (id: string) => {
      const k = await admin().setKeyDisabled(id, disabled);
      print(globals(), k, () => `${name}d key ${id}`);
    });
  }
  keys.command("delete <id>").action(async (id: string) => {
    await admin().deleteKey(id);
    print(globals(), { deleted: id }, () => `deleted key ${id}`);
  });
}

const aclColumns: [string, (a: Record<string, any>) => unknown][] = [
  ["resource type", (a) => a.resource_type],
  ["resource name", (a) => a.resource_name],
  ["pattern", (a) => a.pattern_type],
  ["principal", (a) => a.principal],
  ["operation", (a) => a.operation],
  ["permission", (a) => a.permission],
];

/** The ACL fields as options; `required` makes each of the identifying ones mandatory (create). */
function aclOptions(cmd: Command, required: boolean): Command {
  const opt = (flags: string, text: string) => (required ? cmd.requiredOption(flags, text) : cmd.option(flags, text));
  opt("--resource-type <type>", "TOPIC, GROUP or CLUSTER");
  opt("--resource-name <name>", "a name, a prefix, or * (with LITERAL: every name)");
  cmd.option("--pattern-type <type>", "LITERAL or PREFIXED");
  opt("--principal <principal>", "User:name, or User:*");
  opt("--operation <op>", "ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS");
  opt("--permission <permission>", "ALLOW or DENY");
  return cmd;
}

interface AclFlags {
  resourceType?: string;
  resourceName?: string;
  patternType?: string;
  principal?: string;
  operation?: string;
  permission?: string;
}

function aclOf(f: AclFlags): Partial<Acl> {
  const acl: Record<string, string | undefined> = {
    resource_type: f.resourceType,
    resource_name: f.resourceName,
    pattern_type: f.patternType,
    principal: f.principal,
    operation: f.operation,
    permission: f.permission,
  };
  return Object.fromEntries(Object.entries(acl).filter(([, v]) => v !== undefined)) as Partial<Acl>;
}

export function aclCommands(program: Command, globals: () => GlobalOptions): void {
  const acls = program.command("acls").description("ACLs (Kafka's model): list, create, delete");
  const admin = () => clientOf(globals()).admin();

  aclOptions(acls.command("list").description("ACLs matching the options given (none: all)"), false).action(async (f: AclFlags) => {
    const rows = await admin().listAcls(aclOf(f));
    print(globals(), rows, () => table(rows, aclColumns));
  });
  aclOptions(acls.command("create").description("allow or deny an operation"), true).action(async (f: AclFlags) => {
    const acl = await admin().createAcl(aclOf(f) as Acl);
    print(globals(), acl, () => table([acl], aclColumns));
  });
  aclOptions(acls.command("delete").description("delete the ACLs matching the options (--resource-type at least)"), false).action(async (f: AclFlags) => {
    const rows = await admin().deleteAcls(aclOf(f));
    print(globals(), rows, () => `deleted ${rows.length} ACL(s)\n${table(rows, aclColumns)}`);
  });
}
