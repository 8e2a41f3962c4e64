// The console's subscription pages end to end (Chromium, against `npm start`):
// the list with each subscription's state, and a stalled subscription —
// its last error, its dead-letter topic linked, lag per partition — paused
// and resumed from the page. Harness as console.test.ts's.
import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, call, produce } from "./console/api";
import { shoot } from "./console/browser";
import { consoleHarness } from "./console/harness";
import type { RunningServer } from "./server";
import { waitFor } from "./wait-for";

const { serve, open } = consoleHarness();

describe("the console's subscriptions", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve();
  });

  it("lists subscriptions, and shows one's state, last error and lag, with pause and resume", async () => {
    for (const topic_name of ["cs-orders", "cs-dlq"]) expect((await call(server.url, "POST", `${CLUSTER}/topics`, { topic_name, partitions_count: 1 })).status).toBe(201);
    await produce(server.url, "cs-orders", { value: { type: "JSON", data: { n: 1 } } });
    // A webhook nobody listens on (development mode allows the loopback): the one attempt (no retries) fails,
    // and without a dead-letter topic the partition stalls.
    const body = { name: "cs-hook", topics: ["cs-orders"], target: { type: "webhook", url: "http://127.0.0.1:9/nobody" }, start: "earliest", max_retries: 0 };
    expect((await call(server.url, "POST", `${CLUSTER}/subscriptions`, body)).status).toBe(201);
    await waitFor("a stall", async () => (await call(server.url, "GET", `${CLUSTER}/subscriptions/cs-hook`)).body.state === "stalled");
    const withDlq = { ...body, name: "cs-worker", target: { type: "worker", service: "CONSUMER" }, dead_letter_topic: "cs-dlq" };
    expect((await call(server.url, "POST", `${CLUSTER}/subscriptions`, withDlq)).status).toBe(201);

    const { page } = await open(server, "#/subscriptions");
    const row = page.locator('[aria-label="Push subscriptions"] tbody tr', { hasText: "cs-hook" });
    await row.getByText("stalled").waitFor();
    expect(await row.textContent()).toContain("webhook http://127.0.0.1:9/nobody");
    await page.getByRole("link", { name: "cs-worker" }).click();
    await page.getByRole("heading", { name: "Subscription cs-worker" }).waitFor();
    await page.getByRole("link", { name: "cs-dlq" }).waitFor(); // the dead-letter topic, linked
    await page.getByRole("link", { name: "cs-worker", exact: true }).waitFor(); // its group
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
    expect((await call(server.url, "GET", `${CLUSTER}/subscriptions/cs-worker`)).body.state).toBe("paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();

    await page.goto(`${server.url}/console#/subscriptions/cs-hook`);
    await page.getByText("the webhook could not be reached", { exact: false }).waitFor();
    const lag = page.locator('[aria-label="Committed offsets, lag and state per partition"] tbody tr');
    expect(await lag.first().textContent()).toMatch(/cs-orders\s*0\s*0\s*1\s*stalled/);
    await shoot(page, "subscription");
    await page.getByRole("button", { name: "Resume (retry stalled partitions)" }).waitFor();
  });
});
