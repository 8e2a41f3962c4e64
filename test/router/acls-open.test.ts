// Served open (no admin key), keys and ACLs are refused: 403 named
// SECURITY_DISABLED, Kafka's answer to ACL calls on a broker without an
// authorizer (the front door answers its ACL APIs with it).
import { describe, expect, it } from "vitest";
import { call, V3 } from "../helpers";

describe("keys and ACLs served open", () => {
  it("are refused with 403 named SECURITY_DISABLED", async () => {
    const acl = { resource_type: "TOPIC", resource_name: "t", principal: "User:a", operation: "READ", permission: "ALLOW" };
    for (const [method, path, body] of [["GET", `${V3}/acls`], ["POST", `${V3}/acls`, acl], ["DELETE", `${V3}/acls?resource_type=ANY`], ["GET", `${V3}/keys`]] as const) {
      const res = await call(method, path, body);
      expect([res.status, res.body.error_code, res.body.error_name], `${method} ${path}`).toEqual([403, 403, "SECURITY_DISABLED"]);
    }
  });
});
