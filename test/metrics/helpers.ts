import { SELF } from "cloudflare:test";
import { type Exposition, parseExposition } from "./prometheus";

/** Scrapes GET /metrics, checks it is a valid exposition with the right content type, and parses it. */
export async function scrape(headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await SELF.fetch("http://runnel.test/metrics", { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`scrape: ${res.status} ${text}`);
  if (res.headers.get("content-type") !== "text/plain; version=0.0.4; charset=utf-8") throw new Error(`content type ${res.headers.get("content-type")}`);
  return parseExposition(text);
}

/** Polls `check` with fresh scrapes until it returns a truthy value (or throws after `timeoutMs`). */
export async function scrapeUntil<T>(what: string, check: (m: Exposition) => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Exposition | null = null;
  for (;;) {
    last = await scrape();
    const value = check(last);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
