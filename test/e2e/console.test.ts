// The web console end to end with authentication off, in Debian's Chromium
// driven by playwright-core, against the real server as `npm start` runs
// it: create a topic, produce from the page, find the message in the
// browser, watch the live tail receive a record produced over HTTP, reset a
// group's offsets, one flow by keyboard alone, and phone width. Every page
// is watched (console/harness.ts). Screenshots: .runnel/screenshots/.
// With authentication on: console-auth.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, call, consumerThatCommitted, produce } from "./console/api";
import { overflowX, shoot, unlabelled } from "./console/browser";
import { consoleHarness } from "./console/harness";
import { focused, tabTo } from "./console/pages";
import type { RunningServer } from "./server";
import { waitFor } from "./wait-for";

const { serve, open } = consoleHarness();

describe("the console, authentication off", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve();
  });

  it("serves its page and assets without a key, with a Content-Security-Policy allowing this origin only and no inline code", async () => {
    const res = await fetch(`${server.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("runnel-auth")).toBe("off");
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"]) {
      expect(csp).toContain(directive);
    }
    const html = await res.text();
    expect(html.match(/<script\b[^>]*>/g)).toEqual([expect.stringMatching(/^<script type="module" src="\/console\/app\.[0-9a-f]{12}\.js">$/)]);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const assets = [...html.matchAll(/"\/console\/([\w.]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(3); // icon, stylesheet, script
    for (const asset of assets) {
      const got = await fetch(`${server.url}/console/${asset}`);
      expect(got.status).toBe(200);
      expect(got.headers.get("cache-control")).toContain("immutable");
      expect(got.headers.get("x-content-type-options")).toBe("nosniff");
      await got.arrayBuffer();
    }
    const missing = await call(server.url, "GET", "/console/app.000000000000.js");
    expect(missing).toEqual({ status: 404, body: { error_code: 404, message: "the console has no asset 'app.000000000000.js'" } });
  });

  it("overview: says authentication is off, lists brokers and topics, and charts records per second from /metrics", async () => {
    expect((await call(server.url, "POST", `${CLUSTER}/topics`, { topic_name: "console-flow", partitions_count: 2 })).status).toBe(201);
    const { page } = await open(server, "#/");
    await page.getByText("Authentication is off", { exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "Keys and ACLs" }).count()).toBe(0);
    await waitFor("three brokers", async () => (await page.locator('[aria-label="Brokers"] tbody tr').count()) === 3);
    await page.getByRole("link", { name: "console-flow" }).waitFor();
    // Records flowing: the figures leave "–" once two scrapes apart have seen them.
    await waitFor(
      "a records-in rate above 0",
      async () => {
        await produce(server.url, "console-flow", { value: { type: "STRING", data: "tick" } });
        const text = (await page.getByTestId("rate-in").textContent()) ?? "–";
        return text !== "–" && Number.parseFloat(text) > 0;
      },
      40_000,
    );
    expect(await page.locator(".chart canvas").count()).toBeGreaterThan(0);
    // A few more points, with records read too, so the picture shows both lines (one scrape every 5 s).
    let reads = 0;
    await waitFor(
      "four points on the chart",
      async () => {
        await produce(server.url, "console-flow", { value: { type: "STRING", data: "tick" } });
        await call(server.url, "GET", `${CLUSTER}/topics/console-flow/partitions/${reads++ % 2}/records?offset=0&max_bytes=2048`);
        return Number(await page.locator("[data-points]").getAttribute("data-points")) >= 4;
      },
      40_000,
    );
    await shoot(page, "overview");
  });

  it("a compacted topic's page shows each partition's log cleaner: cleaned up to, dirty ratio, last pass", async () => {
    const configs = [
      { name: "cleanup.policy", value: "compact" },
      { name: "segment.bytes", value: "100" },
      { name: "min.cleanable.dirty.ratio", value: "0" },
    ];
    expect((await call(server.url, "POST", `${CLUSTER}/topics`, { topic_name: "console-compacted", partitions_count: 1, configs })).status).toBe(201);
    for (const [key, value] of [["a", "1"], ["a", "2"], ["b", "1"]]) {
      expect((await produce(server.url, "console-compacted", { partition_id: 0, key: { type: "STRING", data: key }, value: { type: "STRING", data: value } })).status).toBe(200);
    }
    await waitFor("the cleaner's pass", async () => (await call(server.url, "GET", `${CLUSTER}/topics/console-compacted/partitions/0`)).body.cleaner?.last_cleaned_offset === 2);
    const { page } = await open(server, "#/topics/console-compacted");
    const table = page.locator('[aria-label="Partitions of console-compacted"]');
    await table.locator("tbody tr").first().waitFor();
    expect(await table.locator("thead th").allTextContents()).toEqual([
      "Partition", "Leader", "Replicas", "In-sync replicas", "Log start offset", "High watermark", "Log end offset", "Local log start", "Local size", "In the bucket",
      "Cleaned up to", "Dirty ratio", "Last cleaned", "Messages",
    ]);
    const cells = await table.locator("tbody tr").first().locator("th, td").allTextContents();
    // The tiered-storage cells (local log start, sizes) come before the cleaner's.
    expect([...cells.slice(0, 7), ...cells.slice(10, 12)]).toEqual(["0", "0", "0", "0", "0", "3", "3", "2", "0%"]);
    expect(cells[12]).not.toBe("never");
  });

  it("creates a topic, refuses a bad config exactly as the API does, saves a good one, and produces a message from the page", async () => {
    const watch = await open(server, "#/topics");
    const { page } = watch;
    await page.getByLabel("Name").fill("console-orders");
    await page.getByLabel("Partitions", { exact: true }).fill("3");
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.getByRole("heading", { name: "Topic console-orders" }).waitFor();
    const rows = page.locator('[aria-label="Partitions of console-orders"] tbody tr');
    await waitFor("three partitions", async () => (await rows.count()) === 3);
    // Partition, leader, replicas, ISR, log start, high watermark, log end; tiered storage: local log start, local size, in the bucket.
    expect(await rows.nth(2).locator("th, td").allTextContents()).toEqual(["2", "2", "2", "2", "0", "0", "0", "0", "0 B", "0 B (0 segments)", "Browse"]);

    const refused = await call(server.url, "POST", `${CLUSTER}/topics/console-orders/configs:alter`, { data: [{ name: "retention.ms", value: "soon" }] });
    expect(refused.status).toBe(400);
    watch.allow(400, "configs:alter");
    const retention = page.getByLabel("retention.ms", { exact: true }); // not local.retention.ms
    await retention.fill("soon");
    await page.getByRole("button", { name: /^Save/ }).click();
    const alert = page.getByRole("alert").filter({ hasText: "retention.ms" });
    await alert.waitFor();
    expect(await alert.locator(".error-code").textContent()).toBe(String(refused.body.error_code));
    expect(await alert.locator(".error-message").textContent()).toBe(refused.body.message);
    await retention.press("Escape"); // puts the saved value back
    expect(await retention.inputValue()).toBe("604800000");
    await retention.fill("3600000");
    await page.getByRole("button", { name: /^Save/ }).click();
    await page.getByText("Saved retention.ms.").waitFor();
    expect((await call(server.url, "GET", `${CLUSTER}/topics/console-orders/configs/retention.ms`)).body.value).toBe("3600000");

    await page.getByLabel("Partition", { exact: true }).selectOption("1");
    await page.getByLabel("Key", { exact: true }).fill("customer-7");
    await page.getByLabel("Value", { exact: true }).fill('{"total": 42}');
    await page.getByLabel("Value format").selectOption("json");
    await page.getByRole("button", { name: "Add header" }).click();
    await page.getByLabel("Header 1 name").fill("trace");
    await page.getByLabel("Header 1 value").fill("t-1");
    await page.getByRole("button", { name: "Produce", exact: true }).click();
    await page.getByText("Produced to partition 1 at offset 0.").waitFor();
    const fetched = await call(server.url, "GET", `${CLUSTER}/topics/console-orders/partitions/1/records?offset=0&format=string`);
    expect(fetched.body.records).toMatchObject([{ offset: 0, key: "customer-7", value: '{"total": 42}', headers: [{ name: "trace", value: btoa("t-1") }] }]);
    await waitFor("the high watermark of partition 1 at 1", async () => (await rows.nth(1).locator("td").nth(4).textContent()) === "1");
    await shoot(page, "topic");
  });

  it("message browser: finds the message, shows it as string, JSON, base64 and hex, and shows a hostile value as inert text", async () => {
    const hostile = '<img src=x onerror="window.pwned=1">\u202eevil';
    const sent = await produce(server.url, "console-orders", {
      partition_id: 2,
      key: { type: "BINARY", data: btoa("\xff\x00A") },
      value: { type: "STRING", data: hostile },
      headers: [{ name: "<b>h</b>", value: btoa("<script>window.pwned=2</script>") }],
    });
    expect(sent.status).toBe(200);
    const { page } = await open(server, "#/messages/console-orders?partition=1&offset=0");
    const record = page.locator('[aria-label="Found records"] li.record').first();
    await record.waitFor();
    const value = record.locator('pre[data-field="value"]');
    expect(await record.locator('pre[data-field="key"]').textContent()).toBe("customer-7");
    expect(await value.textContent()).toBe('{"total": 42}');
    expect(await record.locator('pre[data-field="header trace"]').textContent()).toBe("t-1");
    await page.getByLabel("JSON", { exact: true }).check();
    expect(await value.textContent()).toBe('{\n  "total": 42\n}');
    await page.getByLabel("Base64", { exact: true }).check();
    expect(await value.textContent()).toBe(btoa('{"total": 42}'));
    await page.getByLabel("Hex", { exact: true }).check();
    expect(await value.textContent()).toBe("7b 22 74 6f 74 61 6c 22 3a 20 34 32 7d");

    await page.getByLabel("String", { exact: true }).check();
    await page.getByLabel("Partition", { exact: true }).selectOption("2");
    await page.getByLabel("From").selectOption("oldest");
    await page.getByRole("button", { name: "Show messages" }).click();
    const bad = page.locator('[aria-label="Found records"] li.record[data-partition="2"]').first();
    await bad.waitFor();
    expect(await bad.locator('pre[data-field="value"]').textContent()).toBe('<img src=x onerror="window.pwned=1">\\u202eevil');
    expect(await bad.locator(".note").first().textContent()).toContain("not valid UTF-8");
    expect(await bad.locator(".header-name").textContent()).toBe("<b>h</b>");
    expect(await page.locator("main img, main b, main script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.getByLabel("Hex", { exact: true }).check();
    expect(await bad.locator('pre[data-field="key"]').textContent()).toBe("ff 00 41");
  });

  it("live tail: a record produced over HTTP appears on the page", async () => {
    const { page } = await open(server, "#/messages/console-orders?partition=0");
    await page.getByRole("button", { name: "Start live tail" }).click();
    await page.getByText("Live: new records appear here as they are appended.").waitFor();
    const sent = await produce(server.url, "console-orders", { partition_id: 0, key: { type: "STRING", data: "k-tail" }, value: { type: "STRING", data: "tail-me" } });
    expect(sent.status).toBe(200);
    const live = page.locator('[aria-label="Live records, newest first"] li.record');
    await live.filter({ hasText: "tail-me" }).waitFor();
    expect(await live.first().getAttribute("data-offset")).toBe(String(sent.body.offset));
    await page.getByText("1 new record received.").waitFor();
    await shoot(page, "messages");
    await page.getByRole("button", { name: "Stop live tail" }).click();
    await page.getByText("Stopped.", { exact: true }).waitFor();
  });

  it("consumer group: members, lag per partition, the API's 40903 while a member is live, and a reset once it left", async () => {
    const instance = await consumerThatCommitted(server.url, "console-billing", "console-orders", "billing-1");
    for (let i = 0; i < 2; i++) expect((await produce(server.url, "console-orders", { partition_id: 0, value: { type: "STRING", data: `late-${i}` } })).status).toBe(200);
    const watch = await open(server, "#/groups");
    const { page } = watch;
    await page.getByRole("link", { name: "console-billing" }).click();
    await page.getByRole("heading", { name: "Group console-billing" }).waitFor();
    await page.locator('[aria-label="Members and their partitions"]').getByText("billing-1").waitFor();
    const lagRows = page.locator('[aria-label="Committed offsets and lag"] tbody tr');
    await waitFor("three lag rows", async () => (await lagRows.count()) === 3);
    expect(await lagRows.nth(0).locator("td").allTextContents()).toEqual(["console-orders", "0", "1", "3", "2", "billing-1"]);
    await page.locator(".chart canvas").first().waitFor();
    await shoot(page, "group");

    watch.allow(409, "offsets:reset");
    await page.getByRole("button", { name: "Reset offsets" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "40903" });
    await alert.waitFor();
    const refused = await call(server.url, "POST", `${CLUSTER}/consumer-groups/console-billing/offsets:reset`, { topic: "console-orders", to: "earliest" });
    expect(refused.status).toBe(409);
    expect(await alert.locator(".error-code").textContent()).toBe("40903");
    expect(await alert.locator(".error-message").textContent()).toBe(refused.body.message);

    expect((await call(server.url, "DELETE", instance)).status).toBe(204);
    await page.getByText("No live members.").waitFor();
    await page.getByRole("button", { name: "Reset offsets" }).click();
    await page.getByText("Reset 3 partitions:").waitFor();
    const lags = await call(server.url, "GET", `${CLUSTER}/consumer-groups/console-billing/lags`);
    expect(lags.body.data.map((r: { current_offset: number }) => r.current_offset)).toEqual([0, 0, 0]);
    await waitFor("the lag table at the reset offsets", async () => (await lagRows.nth(0).locator("td").nth(2).textContent()) === "0");
  });

  it("keyboard: creates and deletes a topic without the mouse, focus always visible, Escape backs out of the dialog", async () => {
    const { page } = await open(server, "#/");
    await page.keyboard.press("Tab"); // a page load starts at the top: the skip link first
    const skip = await focused(page);
    expect(skip).toMatchObject({ tag: "BUTTON", text: "Skip to content", ringVisible: true });
    const link = await tabTo(page, "the Topics link", (f) => f.tag === "A" && f.text === "Topics");
    expect(link.ringVisible).toBe(true);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Topics", exact: true }).waitFor();
    expect((await focused(page)).tag).toBe("H1"); // a new page starts at its heading
    const name = await tabTo(page, "the Name field", (f) => f.tag === "INPUT" && f.label === "Name");
    expect(name.ringVisible).toBe(true);
    await page.keyboard.type("console-keys");
    await page.keyboard.press("Tab");
    expect((await focused(page)).label).toBe("Partitions");
    await page.keyboard.press("Backspace");
    await page.keyboard.type("2");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Topic console-keys" }).waitFor();
    expect((await call(server.url, "GET", `${CLUSTER}/topics/console-keys`)).body.partitions_count).toBe(2);

    const del = await tabTo(page, "Delete topic", (f) => f.tag === "BUTTON" && f.text === "Delete topic");
    expect(del.ringVisible).toBe(true);
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect((await focused(page)).text).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect((await focused(page)).text).toBe("Delete topic");
    expect((await call(server.url, "GET", `${CLUSTER}/topics/console-keys`)).status).toBe(200);
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Tab");
    expect((await focused(page)).text).toBe("Delete");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Topics", exact: true }).waitFor();
    expect((await call(server.url, "GET", `${CLUSTER}/topics/console-keys`)).status).toBe(404);
  });

  it("reads at phone width (390 px): no page scrolls sideways, and every control has a label", async () => {
    const { page } = await open(server, "#/");
    await page.setViewportSize({ width: 390, height: 844 });
    const pages: [string, string, string][] = [
      ["overview", "#/", "Overview"],
      ["topics", "#/topics", "Topics"],
      ["topic", "#/topics/console-orders", "Topic console-orders"],
      ["messages", "#/messages/console-orders?partition=1&offset=0", "Messages of console-orders"],
      ["groups", "#/groups", "Consumer groups"],
      ["group", "#/groups/console-billing", "Group console-billing"],
    ];
    for (const [name, fragment, heading] of pages) {
      await page.goto(`${server.url}/console${fragment}`);
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(await overflowX(page), name).toBe(0);
      expect(await unlabelled(page), name).toEqual([]);
      await shoot(page, `phone-${name}`);
    }
  });
});
