/**
 * DeleteAcls (key 31), every version Kafka defines (v0–3): for each
 * filter, the ACLs HTTP lists (`GET …/acls`) that Kafka's filter matches
 * (MATCH included) are deleted one by one (`DELETE …/acls?…` naming each
 * exactly) and answered as the filter's matching ACLs. Needs ALTER on the
 * cluster, else CLUSTER_AUTHORIZATION_FAILED; without authentication
 * SECURITY_DISABLED, as a Kafka broker without an authorizer answers.
 */
import { type AclBinding, deleteAcls as deleteMatching, listAcls } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { DeleteAclsRequestDeleteAclsFilter } from "../codec/generated/delete-acls-request";
import { type Context, each, serve } from "./api";
import { filterMatches, filterProblem, kafkaAclOf } from "./acl-codes";
import { refusalOf } from "./refusal";

export const deleteAcls = serve(apis.DeleteAcls, {
  async handle(req, _version, ctx) {
    let all: AclBinding[];
    try {
      all = await listAcls(ctx.api, {});
    } catch (e) {
      const refused = refusalOf(e);
      return { filterResults: req.filters.map(() => ({ ...refused, matchingAcls: [] })) };
    }
    return { filterResults: await each(req.filters, (f) => deleteFiltered(ctx, f, all)) };
  },

  failed(req, code) {
    return { filterResults: req.filters.map(() => ({ errorCode: code, errorMessage: null, matchingAcls: [] })) };
  },
});

async function deleteFiltered(ctx: Context, f: DeleteAclsRequestDeleteAclsFilter, all: AclBinding[]) {
  const problem = filterProblem(f);
  if (problem !== null) return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] };
  try {
    const matching = all.filter((b) => filterMatches(f, kafkaAclOf(b)));
    // Each exactly: another filter of this request (or another client) may have deleted it already.
    const deleted = await each(matching, async (b) => ((await deleteMatching(ctx.api, b)).length > 0 ? b : null));
    const matchingAcls = deleted.filter((b) => b !== null).map((b) => ({ errorCode: KafkaCode.NONE, errorMessage: null, ...kafkaAclOf(b) }));
    return { errorCode: KafkaCode.NONE, errorMessage: null, matchingAcls };
  } catch (e) {
    return { ...refusalOf(e), matchingAcls: [] };
  }
}
