/** Keys, ACLs, quotas and the audit log (admin only: ALTER on the cluster). */
import { Hono, type Context } from "hono";
import { forgetAccess } from "../access/access-cache";
import { type Acl, AclBody, AclFilterQuery, PrincipalOrAny } from "../access/acl";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { parseInput } from "../input";
import { limits } from "../limits";
import { auditAs } from "./access";
import { CreateKey, QuotaBody, UpdateKey } from "./admin-schemas";
import { readJsonObject } from "./body";
import { boundedIntParam, intParam } from "./params";
import { baseUrl } from "./url";
import { list } from "./views";
import { callAccess } from "../rpc/objects";

export const accessRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const C3 = "/v3/clusters/:c";

const access = (c: C) => callAccess(c.env);
const self = (c: C) => `${baseUrl(c)}${c.req.path}`;

accessRoutes.post(`${C3}/keys`, async (c) => {
  const body = parseInput(CreateKey, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  const { key } = unwrap(await access(c).createKey(body.principal, body.description));
  auditAs(c, `KEY:${key.key_id} (${key.principal})`);
  forgetAccess();
  return c.json(key, 201);
});

accessRoutes.get(`${C3}/keys`, async (c) => {
  const { keys } = unwrap(await access(c).listKeys());
  return c.json(list("ApiKey", self(c), keys));
});

accessRoutes.get(`${C3}/keys/:k`, async (c) => c.json(unwrap(await access(c).getKey(c.req.param("k"))).key));

accessRoutes.patch(`${C3}/keys/:k`, async (c) => {
  const body = parseInput(UpdateKey, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  const { key } = unwrap(await access(c).setKeyDisabled(c.req.param("k"), body.disabled));
  forgetAccess();
  return c.json(key);
});

accessRoutes.delete(`${C3}/keys/:k`, async (c) => {
  unwrap(await access(c).deleteKey(c.req.param("k")));
  forgetAccess();
  return c.body(null, 204);
});

accessRoutes.post(`${C3}/acls`, async (c) => {
  const acl = parseInput(AclBody, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  auditAs(c, aclResource(acl));
  unwrap(await access(c).createAcl(acl));
  forgetAccess();
  return c.json(aclView(c, acl), 201);
});

accessRoutes.get(`${C3}/acls`, async (c) => {
  const { acls } = unwrap(await access(c).listAcls(filterOf(c)));
  return c.json(list("Acl", self(c), acls.map((a) => aclView(c, a))));
});

accessRoutes.delete(`${C3}/acls`, async (c) => {
  // As in Confluent's proxy, a delete names at least the resource type (ANY allowed), so a bare DELETE cannot wipe every ACL by accident.
  if (c.req.query("resource_type") === undefined) throw new RunnelError(ErrorCode.BAD_REQUEST, "resource_type is required to delete ACLs (ANY matches every type)");
  const { acls } = unwrap(await access(c).deleteAcls(filterOf(c)));
  auditAs(c, acls.length === 1 ? aclResource(acls[0]!) : `ACL:${acls.length} matching ${new URL(c.req.url).search}`);
  forgetAccess();
  return c.json({ data: acls.map((a) => aclView(c, a)) });
});

accessRoutes.put(`${C3}/quotas/:principal`, async (c) => {
  const principal = c.req.param("principal"); // decoded by Hono already: decoding again breaks on a literal '%' 
  parseInput(PrincipalOrAny, principal, { subject: "principal" });
  const quota = { principal, ...parseInput(QuotaBody, await readJsonObject(c.req.raw, limits.adminRequestBytesMax)) };
  unwrap(await access(c).putQuota(quota));
  forgetAccess();
  return c.json(quota);
});

accessRoutes.get(`${C3}/quotas`, async (c) => {
  const { quotas } = unwrap(await access(c).listQuotas());
  return c.json(list("Quota", self(c), quotas));
});

accessRoutes.delete(`${C3}/quotas/:principal`, async (c) => {
  unwrap(await access(c).deleteQuota(c.req.param("principal")));
  forgetAccess();
  return c.body(null, 204);
});

accessRoutes.get(`${C3}/audit`, async (c) => {
  const since = intParam("since", c.req.query("since"), 0);
  const limit = boundedIntParam("limit", c.req.query("limit"), 1_000, limits.auditReadEntriesMax);
  const { entries } = unwrap(await access(c).readAudit(since, limit));
  return c.json({ data: entries });
});

function filterOf(c: C) {
  return parseInput(AclFilterQuery, c.req.query());
}

function aclResource(a: Acl): string {
  return `ACL:${a.permission} ${a.operation} ${a.resource_type}:${a.pattern_type}:${a.resource_name} for ${a.principal}`;
}

function aclView(c: C, a: Acl) {
  return { kind: "KafkaAcl", metadata: { self: `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/acls` }, cluster_id: c.env.CLUSTER_ID, ...a };
}
