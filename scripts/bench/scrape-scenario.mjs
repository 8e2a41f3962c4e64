// What scraping costs the data path: the replication-factor-1
// produce/consume run twice back to back on the same server, first plain,
// then while a scraper fetches GET /metrics every second (as Prometheus
// would, with its own key). Reports both figures, the difference, and how
// the scrapes went.
import { pct } from "./load.mjs";

/**
 * `run(topic)` is the benchmark's scenario (resolves to its figures);
 * `http` a client carrying a key allowed to scrape. Resolves to
 * `scrape_`-prefixed figures.
 */
export async function scrapeScenario({ run, http, intervalMs = 1000 }) {
  const baseline = await run("bench-scrape-off");
  const scrapes = [];
  let stopping = false;
  const scraper = (async () => {
    while (!stopping) {
      const startedMs = performance.now();
      const res = await http("GET", "/metrics");
      if (res.status !== 200) throw new Error(`scrape: ${res.status} ${res.text.slice(0, 300)}`);
      scrapes.push({ ms: performance.now() - startedMs, bytes: res.text.length, missing: /^runnel_scrape_objects_missing/m.test(res.text) });
      const waitMs = intervalMs - (performance.now() - startedMs);
      if (waitMs > 0 && !stopping) await new Promise((r) => setTimeout(r, waitMs));
    }
  })();
  let scraped;
  try {
    scraped = await run("bench-scrape-on");
  } finally {
    stopping = true;
    await scraper;
  }
  const change = (a, b) => Math.round(((b - a) / a) * 1000) / 10;
  return {
    scrape_baseline_produce_records_per_s: baseline.produce_records_per_s,
    scrape_baseline_consume_records_per_s: baseline.consume_records_per_s,
    scrape_produce_records_per_s: scraped.produce_records_per_s,
    scrape_consume_records_per_s: scraped.consume_records_per_s,
    scrape_produce_change_pct: change(baseline.produce_records_per_s, scraped.produce_records_per_s),
    scrape_consume_change_pct: change(baseline.consume_records_per_s, scraped.consume_records_per_s),
    scrape_baseline_produce_p99_ms: baseline.produce_p99_ms,
    scrape_produce_p99_ms: scraped.produce_p99_ms,
    scrapes: scrapes.length,
    scrape_p50_ms: pct(scrapes.map((s) => s.ms), 0.5),
    scrape_p99_ms: pct(scrapes.map((s) => s.ms), 0.99),
    scrape_bytes: scrapes.at(-1)?.bytes ?? 0,
    scrapes_incomplete: scrapes.filter((s) => s.missing).length,
  };
}
