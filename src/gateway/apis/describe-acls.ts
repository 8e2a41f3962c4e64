/**
 * DescribeAcls (key 29), every version Kafka defines (v0–3): the ACLs
 * HTTP lists (`GET …/acls`), matched against Kafka's filter as Kafka
 * matches it (MATCH included), grouped by resource. Needs ALTER on the
 * cluster as every ACL call over HTTP (Kafka asks DESCRIBE), else
 * CLUSTER_AUTHORIZATION_FAILED; without authentication SECURITY_DISABLED,
 * as a Kafka broker without an authorizer answers.
 */
import { listAcls } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";
import { filterMatches, filterProblem, type KafkaAcl, kafkaAclOf } from "./acl-codes";
import { refusalOf } from "./refusal";

export const describeAcls = serve(apis.DescribeAcls, {
  async handle(req, _version, ctx) {
    let acls: KafkaAcl[];
    try {
      acls = (await listAcls(ctx.api, {})).map(kafkaAclOf); // whether ACLs may be read at all comes first, as in Kafka
    } catch (e) {
      return { ...refusalOf(e), resources: [] };
    }
    const problem = filterProblem(req);
    if (problem !== null) return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: problem };
    acls = acls.filter((a) => filterMatches(req, a));
    const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }>();
    for (const a of acls) {
      const key = JSON.stringify([a.resourceType, a.resourceName, a.patternType]);
      const resource = resources.get(key) ?? { resourceType: a.resourceType, resourceName: a.resourceName, patternType: a.patternType, acls: [] };
      resource.acls.push({ principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType });
      resources.set(key, resource);
    }
    return { errorCode: KafkaCode.NONE, errorMessage: null, resources: [...resources.values()] };
  },

  failed(_req, code) {
    return { errorCode: code, errorMessage: null, resources: [] };
  },
});
