// A comparison (--baseline): every scenario runs on the baseline and on
// the current code in turns, each turn on a fresh server and state
// directory, so both meet the same machine at nearly the same time; their
// figures are then set side by side. On a shared machine absolute figures
// move by half from run to run, so only such a same-run comparison says
// whether a change made things faster or slower.

/** Figures that also get a `_change_pct`: throughput produced, consumed and delivered, the server's CPU per record, p99 latencies. */
const HEADLINE = /(produce_records_per_s|consume_records_per_s|delivered_records_per_s|server_cpu_us_per_record|_p99_ms)$/;

/**
 * The arms in round `round` (from 0): base first in even rounds, current
 * first in odd ones. Two rounds run base, current, current, base: on a
 * machine that warms up (or slows down) as it runs, neither arm gets the
 * later turns.
 */
export function turnOrder(round, base, current) {
  return round % 2 === 0 ? [base, current] : [current, base];
}

/** `cur` against `base` in percent, to 0.1 (null when base is 0). */
export function changePct(base, cur) {
  return base === 0 ? null : Math.round(((cur - base) / base) * 1000) / 10;
}

/** The mean of each figure over `runs` (integers stay integers, others to 0.01); text figures that differ are joined with " / ". */
export function meanFigures(runs) {
  const out = {};
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((r) => r[key]);
    if (values.every((v) => typeof v === "number")) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      out[key] = values.every(Number.isInteger) ? Math.round(mean) : Math.round(mean * 100) / 100;
    } else {
      out[key] = new Set(values).size === 1 ? values[0] : values.join(" / ");
    }
  }
  return out;
}

/**
 * Each figure of `cur` followed by the baseline's (`base_` prefix) and,
 * for headline figures, `_change_pct`: current against baseline, so +10
 * is 10% more records/s — or 10% more CPU or latency, which is worse.
 */
export function sideBySide(cur, base) {
  const out = {};
  for (const key of new Set([...Object.keys(cur), ...Object.keys(base)])) {
    if (key in cur) out[key] = cur[key];
    if (key in base) out[`base_${key}`] = base[key];
    if (HEADLINE.test(key) && typeof cur[key] === "number" && typeof base[key] === "number") out[`${key}_change_pct`] = changePct(base[key], cur[key]);
  }
  return out;
}

/** One turn: `scenario` on a fresh server of `arm` (opened by `open`); adds the server's and the benchmark's CPU and memory to `total`. */
async function turn(arm, scenario, open, total) {
  if (scenario.ownServers) return scenario.run(arm);
  const cpuBefore = process.cpuUsage();
  const ctx = await open(arm, { kafka: scenario.kafka === true });
  let figures;
  try {
    figures = await scenario.run(ctx);
  } catch (e) {
    await ctx.close().catch(() => {}); // the scenario's failure is the one to report
    throw e;
  }
  const server = await ctx.close();
  const cpu = process.cpuUsage(cpuBefore);
  total.turns++;
  total.peakMib = Math.max(total.peakMib, server.server_peak_rss_mib);
  total.serverCpuS += server.server_cpu_s;
  total.clientCpuS += (cpu.user + cpu.system) / 1e6;
  return figures;
}

/**
 * Runs each scenario of `list` (bench/suite.mjs) `rounds` times on `base`
 * and on `current` in the order turnOrder gives, each turn on a server
 * from open(arm, { kafka }). Resolves to the figures side by side
 * (sideBySide) after `turns` (the order the arms ran) and
 * `turns_produce_records_per_s` (the headline produce figure of each turn,
 * in order: how much the same code varied within the run). Each arm's
 * figures are means over its turns; its server_peak_rss_mib is the
 * highest of its servers', and server_cpu_s and client_cpu_s are its
 * turns' totals divided by `rounds` (one pass of the scenarios, as a run
 * without a baseline reports them).
 */
export async function compareTurns({ base, current, list, rounds, open }) {
  const arms = [base, current];
  const runs = new Map(arms.map((arm) => [arm, new Map(list.map((s) => [s.name, []]))]));
  const totals = new Map(arms.map((arm) => [arm, { turns: 0, peakMib: 0, serverCpuS: 0, clientCpuS: 0 }]));
  const headline = [];
  for (const scenario of list) {
    for (let round = 0; round < rounds; round++) {
      for (const arm of turnOrder(round, base, current)) {
        const figures = await turn(arm, scenario, open, totals.get(arm));
        runs.get(arm).get(scenario.name).push(figures);
        if ("produce_records_per_s" in figures) headline.push(`${arm.name}:${figures.produce_records_per_s}`);
      }
    }
  }
  const figuresOf = (arm) => {
    const out = {};
    const merge = (s) => Object.assign(out, meanFigures(runs.get(arm).get(s.name)));
    list.filter((s) => !s.ownServers).forEach(merge);
    const t = totals.get(arm);
    if (t.turns > 0) Object.assign(out, { server_peak_rss_mib: t.peakMib, server_cpu_s: Math.round((t.serverCpuS / rounds) * 100) / 100, client_cpu_s: Math.round((t.clientCpuS / rounds) * 10) / 10 });
    list.filter((s) => s.ownServers).forEach(merge);
    return out;
  };
  const turns = Array.from({ length: rounds }, (_, r) => turnOrder(r, base.name, current.name)).flat().join(" ");
  return { turns, ...(headline.length > 0 ? { turns_produce_records_per_s: headline.join(" ") } : {}), ...sideBySide(figuresOf(current), figuresOf(base)) };
}
