/** Lag per partition as bars (uPlot), one bar per topic partition, labelled `topic/partition`. */
import uPlot from "uplot";
import { Chart, COLOURS } from "./chart";
import { formatCount } from "./ui";

type Row = Record<string, any>;

export function LagChart({ rows }: { rows: Row[] }) {
  const labels = rows.map((r) => `${r.topic_name}/${r.partition_id}`);
  const data: uPlot.AlignedData = [rows.map((_, i) => i), rows.map((r) => (typeof r.lag === "number" ? r.lag : null))];
  const options = (width: number, height: number): uPlot.Options => ({
    width,
    height,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, rows.length - 0.5] }, y: { range: (_, _min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [
      { splits: () => rows.map((_, i) => i), values: (_, splits) => splits.map((i) => labels[i] ?? ""), grid: { show: false } },
      { values: (_, splits) => splits.map((v) => formatCount(v)), size: 60 },
    ],
    series: [{}, { label: "lag", fill: `${COLOURS[0]}cc`, stroke: COLOURS[0], paths: uPlot.paths.bars!({ size: [0.6, 80] }), points: { show: false } }],
  });
  const total = rows.reduce((n, r) => n + (typeof r.lag === "number" ? r.lag : 0), 0);
  return (
    <Chart
      label={`Lag per partition, ${formatCount(total)} in total; the table below lists each`}
      options={options}
      data={data}
      shape={labels.join(",")}
      height={200}
    />
  );
}
