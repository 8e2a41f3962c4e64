/**
 * Alert rules (ext; admin only: ALTER on the cluster): `POST`, `GET`
 * `/v3/clusters/{c}/alerts`, `GET` and `DELETE …/alerts/{name}`. The
 * controller keeps and validates the rules (alerts/alert-rules.ts)
 * and evaluates them from its alarm.
 */
import { Hono, type Context } from "hono";
import type { AlertView } from "../alerts/alert-rules";
import { controllerStub } from "../controller/controller-stub";
import type { Env } from "../env";
import { unwrap } from "../errors";
import { limits } from "../limits";
import { auditAs } from "./access";
import { readJsonObject } from "./body";
import { baseUrl } from "./url";
import { list } from "./views";

export const alertRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const A = "/v3/clusters/:c/alerts";

/** A rule as the API shows it: its fields, and where it stands (state inactive|pending|firing, since and value). */
function alertView(a: AlertView) {
  return {
    name: a.name,
    kind: a.kind,
    target: a.target,
    threshold: a.threshold,
    for_ms: a.forMs,
    webhook_url: a.webhookUrl,
    created_at: a.createdAtMs,
    state: a.status,
    since: a.sinceMs,
    value: a.value,
    evaluated_at: a.evaluatedAtMs,
  };
}

const only = (rules: AlertView[]) => alertView(rules[0]!);

alertRoutes.post(A, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  if (typeof body.name === "string") auditAs(c, `ALERT:${body.name.slice(0, limits.alertNameLengthMax)}`);
  const { rules } = unwrap(await controllerStub(c.env).alerts({ op: "create", rule: body }));
  return c.json(only(rules), 201);
});

alertRoutes.get(A, async (c: C) => {
  const { rules } = unwrap(await controllerStub(c.env).alerts({ op: "list" }));
  return c.json(list("Alert", `${baseUrl(c)}${c.req.path}`, rules.map(alertView)));
});

alertRoutes.get(`${A}/:name`, async (c) => c.json(only(unwrap(await controllerStub(c.env).alerts({ op: "get", name: c.req.param("name") })).rules)));

alertRoutes.delete(`${A}/:name`, async (c) => {
  auditAs(c, `ALERT:${c.req.param("name")}`);
  unwrap(await controllerStub(c.env).alerts({ op: "delete", name: c.req.param("name") }));
  return c.body(null, 204);
});
