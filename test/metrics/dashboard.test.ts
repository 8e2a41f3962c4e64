import { describe, expect, it } from "vitest";
import dashboard from "../../docs/grafana-dashboard.json";
import { ALL_FAMILIES } from "../../src/metrics/series";

/** Grafana's reference to the dashboard's data source variable (spelt apart: it is not a template string). */
const DATASOURCE = "$" + "{datasource}";

type Panel = { type: string; title: string; targets?: { expr: string }[] };

describe("the Grafana dashboard (docs/grafana-dashboard.json)", () => {
  const panels = dashboard.panels as Panel[];
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const names = new Set(ALL_FAMILIES.map((f) => f.name));

  it("queries only series that GET /metrics shows", () => {
    const used = new Set(exprs.flatMap((e) => e.match(/runnel_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, "")));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
  });

  it("takes rates of counters only, and quantiles of histograms' buckets", () => {
    for (const e of exprs) {
      for (const [, name] of e.matchAll(/rate\((runnel_[a-z_]+)/g)) expect(name!.endsWith("_total") || name!.endsWith("_bucket"), e).toBe(true);
      for (const [, name] of e.matchAll(/histogram_quantile\([^,]+, sum by \([^)]*\) \(rate\((runnel_[a-z_]+)/g)) expect(name!.endsWith("_bucket"), e).toBe(true);
    }
  });

  it("has a unique id and a Prometheus data source on every panel", () => {
    const ids = panels.map((p) => (p as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels.filter((x) => x.type !== "row")) expect((p as unknown as { datasource: { uid: string } }).datasource.uid).toBe(DATASOURCE);
  });
});
