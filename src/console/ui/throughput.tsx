/**
 * The overview's throughput chart: records in and out per second over
 * the last minutes, from `/metrics` scraped every few seconds while the
 * overview is open (metrics.ts). The scrape's error, if any, is shown as
 * the API wrote it (no `/metrics` on the server, or no DESCRIBE on the cluster).
 */
import { useEffect, useState } from "preact/hooks";
import type uPlot from "uplot";
import { RunnelError } from "../../client/errors";
import { Chart, COLOURS } from "./chart";
import { ErrorBox } from "./error-box";
import { HISTORY_POINTS, SCRAPE_EVERY_MS, Throughput, type Rates } from "./metrics";
import type { Session } from "./session";
import { formatRate } from "./ui";

/** The chart's widest window (what the history holds). */
const HISTORY_SECONDS = (HISTORY_POINTS * SCRAPE_EVERY_MS) / 1000;

const histories = new WeakMap<Session, Throughput>();

function historyOf(session: Session): Throughput {
  let h = histories.get(session);
  if (h === undefined) histories.set(session, (h = new Throughput()));
  return h;
}

export interface ThroughputState {
  history: Throughput;
  latest: Rates | null;
  error: unknown;
  points: number;
}

/** Polls `/metrics` while mounted (one poller per page: call it once and pass the state down). */
export function useThroughput(session: Session): ThroughputState {
  const history = historyOf(session);
  const [state, setState] = useState<{ points: number; error: unknown }>({ points: history.times.length, error: null });
  useEffect(() => {
    let live = true;
    const scrape = () =>
      history.scrape(session.http).then(
        () => live && setState({ points: history.times.length, error: null }),
        (error: unknown) => {
          if (!live) return;
          setState({ points: history.times.length, error });
          // A refusal (no /metrics, no DESCRIBE on the cluster) will not change by asking again; overload (429) may.
          if (error instanceof RunnelError && error.status >= 400 && error.status < 500 && error.status !== 429) clearInterval(timer);
        },
      );
    const timer = setInterval(() => document.visibilityState === "visible" && void scrape(), SCRAPE_EVERY_MS);
    void scrape();
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [session, history]);
  return { history, latest: history.latest, error: state.error, points: state.points };
}

function options(width: number, height: number): uPlot.Options {
  const rate = (_: uPlot, v: number | null) => (v === null ? "–" : formatRate(v));
  return {
    width,
    height,
    series: [
      {},
      { label: "records in", stroke: COLOURS[0], width: 2, value: rate },
      { label: "records out", stroke: COLOURS[1], width: 2, value: rate },
    ],
    axes: [{}, { values: (_, splits) => splits.map((v) => formatRate(v)), size: 64 }],
    scales: {
      // The last minutes up to the newest point: at least 2, at most the 10 kept.
      x: { range: (_, min, max) => [max - Math.min(HISTORY_SECONDS, Math.max(120, max - min)), max] },
      y: { range: (_, _min, max) => [0, Math.max(1, max * 1.1)] },
    },
    cursor: { drag: { x: false, y: false } },
  };
}

/** The chart and the current figures; `latest` is null until two scrapes have been made. */
export function ThroughputChart({ state }: { state: ThroughputState }) {
  const { history, latest, error, points } = state;
  const data: uPlot.AlignedData = [history.times.slice(), history.inRates.slice(), history.outRates.slice()];
  return (
    <div>
      <p class="figures" aria-live="off">
        <span>
          In: <strong data-testid="rate-in">{latest === null ? "–" : formatRate(latest.in)}</strong>
        </span>{" "}
        <span>
          Out: <strong data-testid="rate-out">{latest === null ? "–" : formatRate(latest.out)}</strong>
        </span>{" "}
        <span class="muted">records per second, from /metrics every {SCRAPE_EVERY_MS / 1000} s{points < 2 ? " (the first points take a few seconds)" : ""}</span>
      </p>
      <ErrorBox error={error} />
      <div data-points={points}>
        <Chart label="Records in and out per second over the last minutes" options={options} data={data} shape="throughput" />
      </div>
    </div>
  );
}
