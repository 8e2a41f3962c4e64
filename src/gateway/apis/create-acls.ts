/**
 * CreateAcls (key 30), every version Kafka defines (v0–3): `POST …/acls`
 * per creation, the same ACLs as HTTP's. A creation Runnel's ACLs cannot
 * hold (a transactional id or user resource, a MATCH pattern, an operation
 * such as IDEMPOTENT_WRITE, a host other than `*`) is INVALID_REQUEST.
 * Needs ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED; without
 * authentication every creation is SECURITY_DISABLED, as a Kafka broker
 * without an authorizer answers.
 */
import { createAcl, listAcls } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { type Context, each, serve } from "./api";
import { bindingOf } from "./acl-codes";
import { outcome, type Refusal } from "./refusal";

export const createAcls = serve(apis.CreateAcls, {
  async handle(req, _version, ctx) {
    let access: Promise<Refusal> | null = null;
    const results = await each(req.creations, async (creation) => {
      const binding = bindingOf({ ...creation, patternType: creation.resourcePatternType });
      if (typeof binding !== "string") return outcome(() => createAcl(ctx.api, binding));
      // Whether ACLs may be managed at all comes first, as in Kafka: asked once, by listing them.
      access ??= mayManage(ctx);
      const refused = await access;
      return refused.errorCode === KafkaCode.NONE ? { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: binding } : refused;
    });
    return { results };
  },

  failed(req, code) {
    return { results: req.creations.map(() => ({ errorCode: code, errorMessage: null })) };
  },
});

/** NONE when this connection may manage ACLs; else why not (SECURITY_DISABLED, CLUSTER_AUTHORIZATION_FAILED). */
function mayManage(ctx: Context): Promise<Refusal> {
  return outcome(() => listAcls(ctx.api, { resource_type: "CLUSTER" }));
}
