/**
 * Kafka's ACL model in Confluent's v3 shapes: an ACL allows or denies one
 * operation on a resource (a topic, a group, the cluster) named literally,
 * by prefix, or `*`, to a principal (`User:alice`, or `User:*`). A request
 * is allowed when some ALLOW matches and no DENY does (DENY always wins);
 * no matching ALLOW means denied. As in Kafka, READ, WRITE, DELETE and
 * ALTER imply DESCRIBE, and ALTER_CONFIGS implies DESCRIBE_CONFIGS.
 */
import { ErrorCode, failure, type Failure, type KafkaErrorName } from "../errors";
import * as v from "valibot";
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

/** A principal: `User:` and a name of letters, digits and `._@-`, at most `limits.principalLengthMax` characters; `User:*` (every principal) only where `wildcard`. */
function principal(wildcard: boolean) {
  const longest = `must be a string of at most ${limits.principalLengthMax} characters`;
  return v.pipe(
    v.string(longest),
    v.maxLength(limits.principalLengthMax, longest),
    v.regex(wildcard ? /^User:(\*|[A-Za-z0-9._@-]+)$/ : /^User:[A-Za-z0-9._@-]+$/, (issue) => `must look like User:alice (letters, digits, '.', '_', '@', '-'), got '${issue.input}'`),
  );
}

/** The principal of a key. */
export const Principal = principal(false);

/** A principal, or `User:*` (every principal), as ACLs and quotas name them. */
export const PrincipalOrAny = principal(true);

const oneOf = (allowed: readonly string[]) => `must be one of ${allowed.join(", ")}`;

/**
 * An ACL as `POST …/acls` takes it (other fields are ignored): the pattern
 * type defaults to LITERAL, the host to `*` (the only one: Runnel does not
 * match ACLs by client address), and a CLUSTER resource is named
 * `kafka-cluster` (or `*`).
 */
export const AclBody = v.pipe(
  v.object({
    resource_type: v.picklist(RESOURCE_TYPES, oneOf(RESOURCE_TYPES)),
    resource_name: v.pipe(
      v.string(`must be a string of 1 to ${limits.aclResourceNameLengthMax} characters`),
      v.nonEmpty(`must be a string of 1 to ${limits.aclResourceNameLengthMax} characters`),
      v.maxLength(limits.aclResourceNameLengthMax, `must be a string of 1 to ${limits.aclResourceNameLengthMax} characters`),
    ),
    principal: PrincipalOrAny,
    host: v.nullish(v.literal("*", "must be '*' (Runnel does not match ACLs by client address)"), "*"),
    pattern_type: v.optional(v.picklist(PATTERN_TYPES, oneOf(PATTERN_TYPES)), "LITERAL"),
    operation: v.picklist(OPERATIONS, oneOf(OPERATIONS)),
    permission: v.picklist(PERMISSIONS, oneOf(PERMISSIONS)),
  }),
  v.check((acl) => acl.resource_type !== "CLUSTER" || acl.resource_name === CLUSTER_RESOURCE || acl.resource_name === "*", `a CLUSTER resource is named '${CLUSTER_RESOURCE}'`),
  v.transform((acl): Acl => acl),
);

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

const anyOr = (allowed: readonly string[]) => v.optional(v.picklist(["ANY", ...allowed], `must be ANY or one of ${allowed.join(", ")}`));

/** The query of `GET`/`DELETE …/acls` as a filter: each enum ANY or one of its values; names as given. */
export const AclFilterQuery = v.object({
  resource_type: anyOr(RESOURCE_TYPES),
  resource_name: v.optional(v.string()),
  pattern_type: anyOr(PATTERN_TYPES),
  principal: v.optional(v.string()),
  host: v.optional(v.string()),
  operation: anyOr(OPERATIONS),
  permission: anyOr(PERMISSIONS),
});
