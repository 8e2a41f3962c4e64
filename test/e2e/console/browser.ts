// Debian's Chromium driven by playwright-core, for the console's end-to-end
// tests: a fresh profile per browser, and a watch on each page that fails
// the test on any console error, page error or request to another origin.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const root = fileURLToPath(new URL("../../..", import.meta.url));
/** Where each test keeps its screenshots (git-ignored). */
export const SCREENSHOTS = join(root, ".runnel", "screenshots");

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile (its own --user-data-dir), 1280×800 unless told. */
export async function openBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "runnel-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page may log: an HTTP error answer the test asked for on purpose (Chromium logs those as console errors). */
interface Allowed {
  status: number;
  path: string;
}

/** Watches a page: every console error, page error and request off `origin` is a problem unless allowed. */
export class PageWatch {
  private readonly problems: string[] = [];
  private readonly allowed: Allowed[] = [];

  constructor(
    readonly page: Page,
    origin: string,
  ) {
    page.on("console", (m) => {
      if (m.type() !== "error" && m.type() !== "warning") return;
      const failed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
      const url = m.location().url;
      if (failed !== null && this.allowed.some((a) => a.status === Number(failed[1]) && new URL(url).pathname.includes(a.path))) return;
      this.problems.push(`console ${m.type()}: ${m.text()} (${url})`);
    });
    page.on("pageerror", (e) => this.problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith("data:")) this.problems.push(`request to another origin: ${r.url()}`);
    });
  }

  /** Lets the page meet an error answer of `status` from a path containing `path` (the test provokes it). */
  allow(status: number, path: string): void {
    this.allowed.push({ status, path });
  }

  /** Everything that went wrong so far. */
  issues(): string[] {
    return [...this.problems];
  }
}

/** A new page in `browser`, watched. */
export async function watchedPage(browser: Browser, origin: string): Promise<PageWatch> {
  return new PageWatch(await browser.context.newPage(), origin);
}

/** Saves a screenshot of the top of the page as .runnel/screenshots/{name}.png. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Form controls of the page that have no accessible name (a label or aria-label). */
export function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement>("input, select, textarea"))
      .filter((el) => el.type !== "hidden" && (el.labels?.length ?? 0) === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** How far the page is wider than the viewport (0: no sideways scrolling). */
export function overflowX(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
