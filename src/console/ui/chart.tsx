/**
 * A uPlot chart in a Preact component: made once per `shape` (a change of
 * series makes it again), fed new data in place, resized with its box.
 * uPlot draws on canvas and sets styles through the CSSOM only, so it runs
 * under the page's Content-Security-Policy. Charts are pictures of numbers
 * that each page also lists as text.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface ChartProps {
  /** What the chart shows, for screen readers. */
  label: string;
  /** The chart's options at a given width (height is `height`). */
  options: (width: number, height: number) => uPlot.Options;
  data: uPlot.AlignedData;
  /** Changes when the options must be made again (series added or removed). */
  shape: string;
  height?: number;
}

export function Chart({ label, options, data, shape, height = 220 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  // Made again only when the shape changes; data goes in by setData below.
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const width = () => Math.max(200, Math.floor(el.clientWidth));
    const u = new uPlot(options(width(), height), dataRef.current, el);
    plot.current = u;
    const resized = new ResizeObserver(() => u.setSize({ width: width(), height }));
    resized.observe(el);
    return () => {
      resized.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}

/** Series colours that keep their contrast on the page's background. */
export const COLOURS = ["#0b6e69", "#b4461d", "#4b4fb0", "#8a6d00", "#a3306e", "#2f6fa8"];
