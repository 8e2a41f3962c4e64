/**
 * Kafka's ACL model in Confluent's v3 shapes: an ACL allows or denies one
 * operation on a resource (a topic, a group, the cluster) named literally,
 * by prefix, or `*`, to a principal (`User:alice`, or `User:*`). A request
 * is allowed when some ALLOW matches and no DENY does (DENY always wins);
 * no matching ALLOW means denied. As in Kafka, READ, WRITE, DELETE and
 * ALTER imply DESCRIBE, and ALTER_CONFIGS implies DESCRIBE_CONFIGS.
 */
import { ErrorCode, failure, type Failure, type KafkaErrorName } from "../errors";
import { limits } from "../limits";

export const RESOURCE_TYPES = ["TOPIC", "GROUP", "CLUSTER"] as const;
export const PATTERN_TYPES = ["LITERAL", "PREFIXED"] as const;
export const OPERATIONS = ["ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"] as const;
export const PERMISSIONS = ["ALLOW", "DENY"] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];
export type PatternType = (typeof PATTERN_TYPES)[number];
export type Operation = (typeof OPERATIONS)[number];
export type Permission = (typeof PERMISSIONS)[number];

/** The name Kafka gives the one cluster resource. */
export const CLUSTER_RESOURCE = "kafka-cluster";

/** Kafka's error name for a denial, by the type of the resource denied. */
const DENIED: Record<ResourceType, KafkaErrorName> = {
  TOPIC: "TOPIC_AUTHORIZATION_FAILED",
  GROUP: "GROUP_AUTHORIZATION_FAILED",
  CLUSTER: "CLUSTER_AUTHORIZATION_FAILED",
};

/**
 * The 40301 for `principal` denied `operation` on the resource `type`
 * `name`: named as Kafka names a denial of that resource type
 * (TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED); the message names the
 * operation and the resource.
 */
export function notAuthorized(principal: string, operation: Operation, type: ResourceType, name: string): Failure {
  return failure(ErrorCode.NOT_AUTHORIZED, `not authorized: ${principal} may not ${operation} ${type} '${name}'`, DENIED[type]);
}

export interface Acl {
  resource_type: ResourceType;
  resource_name: string;
  pattern_type: PatternType;
  principal: string;
  host: string;
  operation: Operation;
  permission: Permission;
}

/** A principal is `User:` and a name of letters, digits and `._@-` (at most `principalLengthMax` characters). */
const PRINCIPAL = /^User:[A-Za-z0-9._@-]+$/;

/** What is wrong with a principal name, or null. `*` is allowed only where `wildcard`. */
export function principalProblem(value: unknown, wildcard = false): string | null {
  if (typeof value !== "string" || value.length > limits.principalLengthMax) return `principal must be a string of at most ${limits.principalLengthMax} characters`;
  if (wildcard && value === "User:*") return null;
  return PRINCIPAL.test(value) ? null : `principal must look like User:alice (letters, digits, '.', '_', '@', '-'), got '${value}'`;
}

/** Parses an ACL from a request body; a message naming the field when it is not one. */
export function parseAcl(body: Record<string, unknown>): Acl | string {
  try {
    const resourceType = member(body, "resource_type", RESOURCE_TYPES);
    const name = body.resource_name;
    if (typeof name !== "string" || name.length === 0 || name.length > limits.aclResourceNameLengthMax) {
      return `resource_name must be a string of 1 to ${limits.aclResourceNameLengthMax} characters`;
    }
    if (resourceType === "CLUSTER" && name !== CLUSTER_RESOURCE && name !== "*") return `a CLUSTER resource is named '${CLUSTER_RESOURCE}'`;
    const principal = principalProblem(body.principal, true);
    if (principal !== null) return principal;
    if ((body.host ?? "*") !== "*") return "host must be '*' (Runnel does not match ACLs by client address)";
    return {
      resource_type: resourceType,
      resource_name: name,
      pattern_type: body.pattern_type === undefined ? "LITERAL" : member(body, "pattern_type", PATTERN_TYPES),
      principal: body.principal as string,
      host: "*",
      operation: member(body, "operation", OPERATIONS),
      permission: member(body, "permission", PERMISSIONS),
    };
  } catch (e) {
    if (e instanceof FieldProblem) return e.message;
    throw e;
  }
}

class FieldProblem extends Error {}

/** `body[field]` when it is one of `allowed`; throws a FieldProblem naming the field otherwise. */
function member<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[]): T {
  const v = body[field];
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  throw new FieldProblem(`${field} must be one of ${allowed.join(", ")}`);
}

/** Operations an ALLOW for `granted` also allows. */
function allows(granted: Operation, wanted: Operation): boolean {
  if (granted === "ALL" || granted === wanted) return true;
  if (wanted === "DESCRIBE") return granted === "READ" || granted === "WRITE" || granted === "DELETE" || granted === "ALTER";
  if (wanted === "DESCRIBE_CONFIGS") return granted === "ALTER_CONFIGS";
  return false;
}

/** Whether an ACL's resource pattern covers the resource `type`/`name`. */
export function coversResource(acl: Acl, type: ResourceType, name: string): boolean {
  if (acl.resource_type !== type) return false;
  if (acl.pattern_type === "PREFIXED") return name.startsWith(acl.resource_name);
  return acl.resource_name === "*" || acl.resource_name === name;
}

/**
 * Kafka's decision for `principal` doing `operation` on a resource: a
 * matching DENY (for the operation itself or ALL) wins, else any matching
 * ALLOW (implied operations count), else denied.
 */
export function decide(acls: readonly Acl[], principal: string, type: ResourceType, name: string, operation: Operation): boolean {
  let allowed = false;
  for (const acl of acls) {
    if (acl.principal !== principal && acl.principal !== "User:*") continue;
    if (!coversResource(acl, type, name)) continue;
    if (acl.permission === "DENY") {
      if (acl.operation === "ALL" || acl.operation === operation) return false;
    } else if (allows(acl.operation, operation)) {
      allowed = true;
    }
  }
  return allowed;
}

/** A filter over ACLs (GET and DELETE …/acls): each field absent, or ANY, matches every value. */
export interface AclFilter {
  resource_type?: string;
  resource_name?: string;
  pattern_type?: string;
  principal?: string;
  host?: string;
  operation?: string;
  permission?: string;
}

/** Whether `acl` matches `filter` field by field (exact values; `ANY` or absent matches all). */
export function matchesFilter(acl: Acl, filter: AclFilter): boolean {
  const fields = ["resource_type", "resource_name", "pattern_type", "principal", "host", "operation", "permission"] as const;
  return fields.every((f) => filter[f] === undefined || filter[f] === "ANY" || filter[f] === acl[f]);
}

/** Parses filter query values; a message naming the field when a value is not one of its kind. */
export function parseAclFilter(query: Record<string, string | undefined>): AclFilter | string {
  const enums: [keyof AclFilter, readonly string[]][] = [
    ["resource_type", RESOURCE_TYPES], ["pattern_type", PATTERN_TYPES], ["operation", OPERATIONS], ["permission", PERMISSIONS],
  ];
  const filter: AclFilter = {};
  for (const [field, allowed] of enums) {
    const v = query[field];
    if (v === undefined) continue;
    if (v !== "ANY" && !allowed.includes(v)) return `${field} must be ANY or one of ${allowed.join(", ")}`;
    filter[field] = v;
  }
  for (const field of ["resource_name", "principal", "host"] as const) {
    const v = query[field];
    if (v !== undefined) filter[field] = v;
  }
  return filter;
}
