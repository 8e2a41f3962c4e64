// The web console end to end with authentication on, in Debian's Chromium
// driven by playwright-core: signing in with a key, and keys and ACLs.
// Every page is watched (console/harness.ts). Screenshots: .runnel/screenshots/.
import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, call } from "./console/api";
import { shoot } from "./console/browser";
import { consoleHarness } from "./console/harness";
import { signIn, signOut } from "./console/pages";
import type { RunningServer } from "./server";
import { waitFor } from "./wait-for";

const { serve, open } = consoleHarness();

describe("the console, authentication on", () => {
  const SECRET = "console-e2e-secret";
  const ADMIN = `admin.${SECRET}`;
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve(SECRET);
  });

  it("signs in: a wrong key is refused as the API wrote it, the right one goes in, and the key never enters a URL", async () => {
    const watch = await open(server, "");
    const { page } = watch;
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.getByRole("heading", { name: "Sign in to the Runnel console" }).waitFor();
    await shoot(page, "sign-in");
    const refused = await call(server.url, "GET", "/v3/clusters", undefined, "admin.wrong-secret");
    expect(refused.status).toBe(401);
    watch.allow(401, "/v3/clusters");
    await page.getByLabel("API key").fill("admin.wrong-secret");
    await page.getByLabel("API key").press("Enter");
    const alert = page.getByRole("alert");
    await alert.locator(".error-code").waitFor();
    expect(await alert.locator(".error-code").textContent()).toBe("40101");
    expect(await alert.locator(".error-name").textContent()).toBe("SASL_AUTHENTICATION_FAILED");
    expect(await alert.locator(".error-message").textContent()).toBe(refused.body.message);

    await signIn(page, ADMIN);
    await page.getByRole("link", { name: "Keys and ACLs" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("runnel.console.key"))).toBe(ADMIN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.reload(); // the tab keeps its session
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await signOut(page);
    expect(await page.evaluate(() => sessionStorage.getItem("runnel.console.key"))).toBeNull();
    expect(urls.filter((u) => u.includes(SECRET))).toEqual([]);
    expect(page.url()).not.toContain(SECRET);
  });

  it("keys and ACLs: makes a key and shows its secret once, gives it an ACL, signs in with it, then disables and deletes it", async () => {
    const watch = await open(server, "");
    const { page } = watch;
    await signIn(page, ADMIN);
    await page.getByRole("link", { name: "Keys and ACLs" }).click();
    await page.getByRole("heading", { name: "Keys and ACLs" }).waitFor();
    const keysSection = page.locator("section").filter({ has: page.locator("h2", { hasText: /^API keys$/ }) });
    await keysSection.getByLabel("Principal").fill("User:alice");
    await keysSection.getByLabel("Description").fill("console e2e");
    await page.getByRole("button", { name: "Create key" }).click();
    const alice = await page.getByLabel("New API key").inputValue();
    const [keyId, secret] = alice.split(".");
    expect(secret?.length).toBeGreaterThan(20);
    await page.locator('[aria-label="API keys"]').getByText(keyId!, { exact: true }).waitFor();

    const aclSection = page.locator("section").filter({ has: page.locator("h2", { hasText: /^ACLs$/ }) });
    await aclSection.getByLabel("Resource name").fill("alice-");
    await aclSection.getByLabel("Pattern").selectOption("PREFIXED");
    await aclSection.getByLabel("Principal").fill("User:alice");
    await aclSection.getByLabel("Operation").selectOption("ALL");
    await page.getByRole("button", { name: "Add ACL" }).click();
    const aclRow = page.locator('[aria-label="ACLs"] tbody tr').filter({ hasText: "alice-" });
    await aclRow.waitFor();
    await page.getByRole("button", { name: "Done, hide it" }).click();
    expect(await page.content()).not.toContain(secret!); // shown once: gone from the page, and never listed
    await page.getByRole("heading", { name: "Keys and ACLs" }).focus();
    await shoot(page, "access");

    // Alice may do what her ACL says, and sees the API's refusal (403 / 40301) for the rest.
    await signOut(page);
    watch.allow(403, "/metrics");
    watch.allow(403, "/keys");
    watch.allow(403, "/acls");
    await signIn(page, alice);
    const deniedMetrics = await call(server.url, "GET", "/metrics", undefined, alice); // needs DESCRIBE on the cluster
    expect([deniedMetrics.status, deniedMetrics.body.error_code, deniedMetrics.body.error_name]).toEqual([403, 40301, "CLUSTER_AUTHORIZATION_FAILED"]);
    await page.getByRole("alert").filter({ hasText: deniedMetrics.body.message }).waitFor();
    await page.getByRole("link", { name: "Topics", exact: true }).click();
    await page.getByLabel("Name").fill("alice-orders");
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.getByRole("heading", { name: "Topic alice-orders" }).waitFor();
    await page.getByRole("link", { name: "Keys and ACLs" }).click();
    const deniedKeys = await call(server.url, "GET", `${CLUSTER}/keys`, undefined, alice);
    expect(deniedKeys.status).toBe(403);
    await waitFor("keys and ACLs both refused", async () => (await page.getByRole("alert").filter({ hasText: deniedKeys.body.message }).count()) === 2);

    await signOut(page);
    await signIn(page, ADMIN);
    await page.getByRole("link", { name: "Keys and ACLs" }).click();
    await page.getByRole("button", { name: `Disable key ${keyId}` }).click();
    await page.getByRole("button", { name: `Enable key ${keyId}` }).waitFor();
    expect((await call(server.url, "GET", "/v3/clusters", undefined, alice)).status).toBe(401);
    await page.getByRole("button", { name: `Delete key ${keyId}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete key" }).click();
    await page.locator('[aria-label="API keys"]').getByText(keyId!, { exact: true }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Delete ACL: ALLOW User:alice ALL on TOPIC alice-" }).click();
    await aclRow.waitFor({ state: "detached" });
    expect((await call(server.url, "GET", `${CLUSTER}/acls?principal=User:alice`, undefined, ADMIN)).body.data).toEqual([]);
  });
});
