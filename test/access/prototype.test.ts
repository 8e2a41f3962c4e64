// `__proto__`, `constructor` and `prototype` in key and ACL bodies, sent by
// the admin (keys and ACLs exist only with authentication on): each is
// refused clearly or stored exactly as sent, grants nothing, and leaves
// every prototype as it was, in the Worker and in the access object.
// The other bodies: test/router/prototype.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { accessStub } from "../stubs";
import { V3 } from "../helpers";
import { ADMIN, as } from "./helpers";

const POISON = { polluted: "yes", disabled: true, permission: "ALLOW", operation: "ALL" };
const NAMES = ["__proto__", "constructor", "prototype"] as const;

/** A body with `name` as an own key holding poison, written as JSON text (JSON.stringify would drop `__proto__`). */
function withKey(body: Record<string, unknown>, name: string): string {
  return `${JSON.stringify(body).slice(0, -1)}${Object.keys(body).length > 0 ? "," : ""}"${name}":${JSON.stringify(POISON)}}`;
}

function expectClear(res: { status: number; body: any }, what: string, ok: number[] = []) {
  if (ok.includes(res.status)) return;
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  expect(res.body, what).toEqual({ error_code: expect.any(Number), message: expect.any(String), error_name: expect.any(String) });
}

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

describe("prototype keys in key and ACL bodies", () => {
  it("are refused or ignored, grant nothing and pollute nothing", async () => {
    const before = prototypeNames();
    for (const name of NAMES) {
      const key = await as(ADMIN, "POST", `${V3}/keys`, withKey({ principal: `User:${name}`, description: name }, name));
      expectClear(key, `key ${name}`, [201]);
      if (key.status === 201) {
        expect(key.body).toMatchObject({ principal: `User:${name}`, disabled: false });
        expectClear(await as(ADMIN, "PATCH", `${V3}/keys/${key.body.key_id}`, withKey({}, name)), `key patch ${name}`);
        expect((await as(ADMIN, "GET", `${V3}/keys/${key.body.key_id}`)).body.disabled).toBe(false);
        // The key grants nothing by itself: no ACL came with the poison.
        expect((await as(`${key.body.key_id}.${key.body.secret}`, "GET", `${V3}/keys`)).status).toBe(403);
        expect((await as(ADMIN, "DELETE", `${V3}/keys/${key.body.key_id}`)).status).toBe(204);
      }
      const acl = { resource_type: "TOPIC", resource_name: name, pattern_type: "LITERAL", principal: `User:${name}`, host: "*", operation: "READ", permission: "DENY" };
      const made = await as(ADMIN, "POST", `${V3}/acls`, withKey(acl, name));
      expectClear(made, `acl ${name}`, [201]);
      if (made.status === 201) expect(made.body).toMatchObject({ permission: "DENY", operation: "READ" });
      const bare = { resource_type: "TOPIC", resource_name: "x", principal: "User:x", operation: "READ" };
      expectClear(await as(ADMIN, "POST", `${V3}/acls`, withKey(bare, name)), `acl without permission ${name}`);
      const listed = await as(ADMIN, "GET", `${V3}/acls?${name}=ALLOW&principal=User:${name}`);
      expect(listed.status).toBe(200);
      expect(listed.body.data.every((a: { permission: string }) => a.permission === "DENY")).toBe(true);
      expect((await as(ADMIN, "DELETE", `${V3}/acls?resource_type=ANY&principal=User:${name}`)).status).toBe(200);
    }
    expect(prototypeNames()).toEqual(before);
    expect(({}) as Record<string, unknown>).not.toHaveProperty("polluted");
    expect(await runInDurableObject(accessStub(env) as unknown as DurableObjectStub, () => prototypeNames())).toEqual(before);
  });
});
