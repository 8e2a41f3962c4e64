// The console's end-to-end harness: one Chromium per file, servers on fresh
// state directories, and pages watched so that any console error, page
// error or request to another origin fails the test that made it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { freePort, type RunningServer, startServer } from "../server";
import { type Browser, openBrowser, type PageWatch, watchedPage } from "./browser";

/**
 * Registers the file's hooks (a browser before all, watched pages checked
 * and closed after each test, servers stopped and their state removed
 * after all) and returns how to start a server and open a page.
 */
export function consoleHarness() {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  let browser: Browser;
  const watches: PageWatch[] = [];

  /** A server as `npm start` runs it, on a fresh state directory; authentication on when `adminKey` is given. */
  async function serve(adminKey?: string): Promise<RunningServer> {
    const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-console-"));
    dirs.push(dir);
    const server = await startServer(await freePort(), dir, 0, adminKey === undefined ? {} : { adminKey });
    servers.push(server);
    return server;
  }

  /** A watched page of the console at `fragment` (e.g. "#/topics") on `server`, once it is signed in or asks for a key. */
  async function open(server: RunningServer, fragment: string): Promise<PageWatch> {
    const watch = await watchedPage(browser, server.url);
    watches.push(watch);
    await watch.page.goto(`${server.url}/console${fragment}`);
    // Signed in (the navigation shows) or asked for a key.
    await watch.page.locator('nav[aria-label="Sections"], input[name="key"]').first().waitFor();
    return watch;
  }

  beforeAll(async () => {
    browser = await openBrowser();
  });

  afterEach(async () => {
    const issues = watches.flatMap((w) => w.issues());
    for (const w of watches.splice(0)) await w.page.close();
    expect(issues).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return { serve, open };
}
