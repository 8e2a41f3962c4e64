// Key and ACL bodies over the admin body limit are refused whole (413) —
// with authentication on, where keys and ACLs exist (served open they are
// refused before any body is read: test/e2e/bodies.test.ts).
import { describe, expect, it } from "vitest";
import { limits } from "../../src/limits";
import { V3 } from "../helpers";
import { ADMIN, as } from "./helpers";

describe("key and ACL bodies over adminRequestBytesMax", () => {
  it("are refused with 413 and create nothing", async () => {
    const padding = " ".repeat(limits.adminRequestBytesMax);
    const key = await as(ADMIN, "POST", `${V3}/keys`, `{"principal":"User:big"}${padding}`);
    expect([key.status, key.body.error_code]).toEqual([413, 413]);
    const acl = { resource_type: "TOPIC", resource_name: "big", pattern_type: "LITERAL", principal: "User:big", host: "*", operation: "READ", permission: "ALLOW" };
    const made = await as(ADMIN, "POST", `${V3}/acls`, `${JSON.stringify(acl)}${padding}`);
    expect([made.status, made.body.error_code]).toEqual([413, 413]);
    expect((await as(ADMIN, "GET", `${V3}/keys`)).body.data.map((k: { principal: string }) => k.principal)).not.toContain("User:big");
    expect((await as(ADMIN, "GET", `${V3}/acls?principal=User:big`)).body.data).toEqual([]);
  });
});
