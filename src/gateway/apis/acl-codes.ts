/**
 * Kafka's ACL codes and filters over Runnel's ACLs (the same ACLs as HTTP's
 * `…/acls`, in Confluent's names). Runnel's ACLs are on topics, groups and
 * the cluster, LITERAL or PREFIXED, for host `*`, with the operations ALL
 * to ALTER_CONFIGS; a Kafka filter naming anything else matches none of
 * them. Filters match as Kafka's AclBindingFilter does, MATCH included (a
 * LITERAL ACL of the name or of `*`, or a PREFIXED one the name starts with).
 */
import type { AclBinding } from "../backend/admin-api";

const codes = <T extends string>(names: Record<T, number>) => names;

/** Kafka's ResourceType codes (ANY only in filters). */
const RESOURCE_TYPES = codes({ ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 });
/** Kafka's PatternType codes (ANY and MATCH only in filters). */
const PATTERN_TYPES = codes({ ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 });
/** Kafka's AclOperation codes (ANY only in filters). */
const OPERATIONS = codes({
  ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14, TWO_PHASE_COMMIT: 15,
});
/** Kafka's AclPermissionType codes (ANY only in filters). */
const PERMISSIONS = codes({ ANY: 1, DENY: 2, ALLOW: 3 });

/** What Runnel's ACLs may hold (acl.ts), by field. */
const RUNNEL = {
  resource_type: ["TOPIC", "GROUP", "CLUSTER"],
  pattern_type: ["LITERAL", "PREFIXED"],
  operation: ["ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"],
  permission: ["ALLOW", "DENY"],
};

const nameOf = (table: Record<string, number>, code: number) => Object.keys(table).find((k) => table[k] === code);

/** A Kafka ACL (a creation, or a binding to describe) in codes. */
export interface KafkaAcl {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A Kafka ACL filter in codes (null names match every value). */
export interface KafkaAclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/** Runnel's form of a Kafka ACL to create, or what is wrong with it (a code Kafka does not have, or a value Runnel's ACLs cannot hold). */
export function bindingOf(a: KafkaAcl): AclBinding | string {
  const fields = {
    resource_type: nameOf(RESOURCE_TYPES, a.resourceType),
    pattern_type: nameOf(PATTERN_TYPES, a.patternType),
    operation: nameOf(OPERATIONS, a.operation),
    permission: nameOf(PERMISSIONS, a.permissionType),
  };
  for (const [field, name] of Object.entries(fields) as [keyof typeof RUNNEL, string | undefined][]) {
    if (name === undefined || !RUNNEL[field].includes(name)) {
      return `${field} ${name ?? "(a code Kafka does not define)"} cannot be in an ACL: Runnel's ACLs take ${field} ${RUNNEL[field].join(", ")}`;
    }
  }
  return { ...(fields as Record<keyof typeof RUNNEL, string>), resource_name: a.resourceName, principal: a.principal, host: a.host };
}

/** A Runnel ACL in Kafka's codes. */
export function kafkaAclOf(b: AclBinding): KafkaAcl {
  const code = (table: Record<string, number>, name: string) => table[name] ?? 0;
  return {
    resourceType: code(RESOURCE_TYPES, b.resource_type),
    resourceName: b.resource_name,
    patternType: code(PATTERN_TYPES, b.pattern_type),
    principal: b.principal,
    host: b.host,
    operation: code(OPERATIONS, b.operation),
    permissionType: code(PERMISSIONS, b.permission),
  };
}

/** What is wrong with a filter: a code Kafka does not have (UNKNOWN, say); null when it is a filter. */
export function filterProblem(f: KafkaAclFilter): string | null {
  const known = [[RESOURCE_TYPES, f.resourceTypeFilter, "resource type"], [PATTERN_TYPES, f.patternTypeFilter, "pattern type"], [OPERATIONS, f.operation, "operation"], [PERMISSIONS, f.permissionType, "permission type"]] as const;
  for (const [table, value, what] of known) if (nameOf(table, value) === undefined) return `${what} ${value} is not a filter Kafka defines`;
  return null;
}

/** Whether Kafka's filter `f` matches the ACL `a` (AclBindingFilter.matches). */
export function filterMatches(f: KafkaAclFilter, a: KafkaAcl): boolean {
  const any = (want: number, have: number, anyCode: number) => want === anyCode || want === have;
  if (!any(f.resourceTypeFilter, a.resourceType, RESOURCE_TYPES.ANY)) return false;
  if (!any(f.operation, a.operation, OPERATIONS.ANY) || !any(f.permissionType, a.permissionType, PERMISSIONS.ANY)) return false;
  if ((f.principalFilter !== null && f.principalFilter !== a.principal) || (f.hostFilter !== null && f.hostFilter !== a.host)) return false;
  const pattern = f.patternTypeFilter;
  if (pattern !== PATTERN_TYPES.ANY && pattern !== PATTERN_TYPES.MATCH && pattern !== a.patternType) return false;
  const name = f.resourceNameFilter;
  if (name === null) return true;
  if (pattern !== PATTERN_TYPES.MATCH) return name === a.resourceName;
  return a.patternType === PATTERN_TYPES.PREFIXED ? name.startsWith(a.resourceName) : name === a.resourceName || a.resourceName === "*";
}
