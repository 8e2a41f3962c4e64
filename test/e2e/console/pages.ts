// Steps the console tests share: signing in, moving focus with Tab, reading what has focus.
import type { Page } from "playwright-core";
import { waitFor } from "../wait-for";

/** The focused element: its tag, text or accessible label, and whether its focus ring shows (outline at least 2 px). */
export interface Focused {
  tag: string;
  text: string;
  label: string;
  ringVisible: boolean;
}

/** What has focus now. */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el === null) return { tag: "", text: "", label: "", ringVisible: false };
    const style = getComputedStyle(el);
    const labels = (el as HTMLInputElement).labels;
    const label = el.getAttribute("aria-label") ?? (labels && labels.length > 0 ? (labels[0]!.querySelector(".field-label")?.textContent ?? labels[0]!.textContent ?? "") : "");
    return { tag: el.tagName, text: (el.textContent ?? "").trim(), label, ringVisible: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) >= 2 };
  });
}

/** Presses Tab until `wanted` holds for the focused element (at most `tabsMax` presses); returns it. */
export async function tabTo(page: Page, what: string, wanted: (f: Focused) => boolean, tabsMax = 60): Promise<Focused> {
  for (let i = 0; i < tabsMax; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (wanted(f)) return f;
  }
  throw new Error(`${tabsMax} presses of Tab never reached ${what}`);
}

/** Signs in on the sign-in page with `key`, by the keyboard (Enter submits), and waits for the overview. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel("API key").fill(key);
  await page.getByLabel("API key").press("Enter");
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}

/** Signs out and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to the Runnel console" }).waitFor();
}

/** The text of the element `selector` once it has some. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return waitFor(`text in ${selector}`, async () => (await page.locator(selector).first().textContent())?.trim() || null);
}
