// What scraping costs the data path: the replication-factor-1
// produce/consume run four times on the same server — plain, scraped,
// scraped, plain (the order cancels a server that speeds up or slows down
// as it runs) — scraped meaning while a scraper fetches GET /metrics every
// second, as Prometheus would, with its own key. Reports the mean of each
// pair, the difference, the server's CPU time per record (which other work
// on the machine disturbs far less than throughput), and how the scrapes
// went.
import { pct } from "./load.mjs";

/**
 * `run(topic)` is the benchmark's scenario (resolves to its figures) of
 * `records` records; `http` a client carrying a key allowed to scrape;
 * `cpuSeconds()` the server's CPU time so far. Resolves to
 * `scrape_`-prefixed figures.
 */
export async function scrapeScenario({ run, http, cpuSeconds, records, intervalMs = 1000 }) {
  const scrapes = [];
  const timed = async (work) => {
    const before = cpuSeconds();
    const figures = await work();
    await new Promise((r) => setTimeout(r, 300)); // the CPU sampler reads every 250 ms
    return { ...figures, cpu_us_per_record: ((cpuSeconds() - before) * 1e6) / records };
  };
  const plain = [await timed(() => run("bench-scrape-off-1"))];
  const scraped = [await timed(() => scrapedRun(() => run("bench-scrape-on-1"), http, intervalMs, scrapes))];
  scraped.push(await timed(() => scrapedRun(() => run("bench-scrape-on-2"), http, intervalMs, scrapes)));
  plain.push(await timed(() => run("bench-scrape-off-2")));
  const mean = (runs, key, digits = 0) => Math.round((runs.reduce((n, r) => n + r[key], 0) / runs.length) * 10 ** digits) / 10 ** digits;
  const baseline = { produce_records_per_s: mean(plain, "produce_records_per_s"), consume_records_per_s: mean(plain, "consume_records_per_s") };
  const during = { produce_records_per_s: mean(scraped, "produce_records_per_s"), consume_records_per_s: mean(scraped, "consume_records_per_s") };
  const change = (a, b) => Math.round(((b - a) / a) * 1000) / 10;
  return {
    scrape_baseline_produce_records_per_s: baseline.produce_records_per_s,
    scrape_baseline_consume_records_per_s: baseline.consume_records_per_s,
    scrape_produce_records_per_s: during.produce_records_per_s,
    scrape_consume_records_per_s: during.consume_records_per_s,
    scrape_produce_change_pct: change(baseline.produce_records_per_s, during.produce_records_per_s),
    scrape_consume_change_pct: change(baseline.consume_records_per_s, during.consume_records_per_s),
    // Server CPU per record produced and consumed, scrapes included in the scraped runs.
    scrape_baseline_server_cpu_us_per_record: mean(plain, "cpu_us_per_record", 2),
    scrape_server_cpu_us_per_record: mean(scraped, "cpu_us_per_record", 2),
    // Produce records/s of each run in the order they ran: plain, scraped, scraped, plain.
    scrape_runs_produce_records_per_s: [plain[0], scraped[0], scraped[1], plain[1]].map((r) => r.produce_records_per_s).join(" "),
    scrapes: scrapes.length,
    scrape_p50_ms: pct(scrapes.map((s) => s.ms), 0.5),
    scrape_p99_ms: pct(scrapes.map((s) => s.ms), 0.99),
    scrape_bytes: scrapes.at(-1)?.bytes ?? 0,
    scrapes_incomplete: scrapes.filter((s) => s.missing).length,
  };
}

/** Runs `run` while GET /metrics is fetched every `intervalMs`; each scrape is noted in `scrapes`. */
async function scrapedRun(run, http, intervalMs, scrapes) {
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
  try {
    return await run();
  } finally {
    stopping = true;
    await scraper;
  }
}
