// Key and ACL bodies, checked by their valibot schemas (with
// authentication on: served open, keys and ACLs are refused before any
// body is read). For each, a wrong type, a value out of range and a
// missing field get a 400 naming the field — and change nothing.
import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, as } from "./helpers";

const acl = { resource_type: "TOPIC", resource_name: "t", principal: "User:ab", operation: "READ", permission: "ALLOW" };

describe("key and ACL bodies", () => {
  it("refuse a bad field with a 400 naming it, and make nothing", async () => {
    const cases: [string, string, unknown, string][] = [
      ["POST", `${V3}/keys`, {}, "principal is required"],
      ["POST", `${V3}/keys`, { principal: "User:*" }, "principal must look like User:alice (letters, digits, '.', '_', '@', '-'), got 'User:*'"],
      ["POST", `${V3}/keys`, { principal: "User:ab", description: "x".repeat(1001) }, "description must be a string of at most 1000 characters"],
      ["PATCH", `${V3}/keys/knone`, { disabled: "true" }, "disabled must be true or false"],
      ["POST", `${V3}/acls`, { ...acl, operation: undefined }, "operation is required"],
      ["POST", `${V3}/acls`, { ...acl, resource_type: "TRANSACTIONAL_ID" }, "resource_type must be one of TOPIC, GROUP, CLUSTER"],
      ["POST", `${V3}/acls`, { ...acl, resource_name: "x".repeat(256) }, "resource_name must be a string of 1 to 255 characters"],
      ["POST", `${V3}/acls`, { ...acl, resource_type: "CLUSTER" }, "a CLUSTER resource is named 'kafka-cluster'"],
      ["GET", `${V3}/acls?operation=READ_ALL`, undefined, "operation must be ANY or one of ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS"],
    ];
    const keysBefore = (await as(ADMIN, "GET", `${V3}/keys`)).body.data.length;
    for (const [method, path, body, message] of cases) {
      const res = await as(ADMIN, method, path, body);
      expect([res.status, res.body], `${method} ${path}`).toEqual([400, { error_code: 400, message, error_name: "INVALID_REQUEST" }]);
    }
    expect((await as(ADMIN, "GET", `${V3}/keys`)).body.data).toHaveLength(keysBefore);
    expect((await as(ADMIN, "GET", `${V3}/acls?principal=User:ab`)).body.data).toEqual([]);
  });

  it("take an ACL body with fields they do not name, and fill the defaults", async () => {
    const made = await as(ADMIN, "POST", `${V3}/acls`, { ...acl, principal: "User:ab-defaults", host: null, note: "ignored" });
    expect([made.status, made.body.pattern_type, made.body.host, made.body.note]).toEqual([201, "LITERAL", "*", undefined]);
    expect((await as(ADMIN, "DELETE", `${V3}/acls?resource_type=ANY&principal=User:ab-defaults`)).body.data).toHaveLength(1);
  });
});
