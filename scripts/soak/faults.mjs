// The soak's faults, on a seeded schedule: a broker down, slow or
// restarted (the development build's faults API, docs/api.md "Faults"),
// and once per run, half-way, the whole server SIGKILLed and started
// again on the same state. Every fault is healed before the next.
import { request, sleep } from "./http.mjs";

const BROKERS = [0, 1, 2];

/** Applies faults until `ctx.stopping()`; each is a history event. */
export async function runFaults(ctx) {
  const { rng, history } = ctx;
  const crashAtMs = Date.now() + ctx.durationMs / 2;
  let crashed = false;
  while (!ctx.stopping()) {
    await ctx.pause(rng.int(2_000, 5_000));
    if (ctx.stopping()) break;
    if (!crashed && Date.now() >= crashAtMs) {
      crashed = true;
      history.record({ type: "fault", action: "server-sigkill" });
      await ctx.crashAndRestart();
      history.record({ type: "fault", action: "server-restarted" });
      continue;
    }
    const broker = rng.pick(BROKERS);
    const kind = rng.pick(["down", "slow", "restart"]);
    if (kind === "restart") {
      history.record({ type: "fault", action: "broker-restart", broker, status: (await brokerCall(ctx, broker, "restart")).status });
      continue;
    }
    const body = kind === "slow" ? { mode: "slow", latency_ms: rng.int(50, 300) } : { mode: "down" };
    history.record({ type: "fault", action: `broker-${kind}`, broker, status: (await brokerCall(ctx, broker, "faults", body)).status });
    await ctx.pause(rng.int(2_000, 6_000));
    history.record({ type: "fault", action: "broker-heal", broker, status: (await heal(ctx, broker)).status });
  }
}

/** Heals every broker (retrying while the server is away); the end of the run calls it. */
export async function healAll(ctx) {
  for (const b of BROKERS) {
    for (let i = 0; i < 30 && (await heal(ctx, b)).status !== 204; i++) await sleep(500);
  }
}

function heal(ctx, broker) {
  return brokerCall(ctx, broker, "faults", { mode: "heal" });
}

function brokerCall(ctx, broker, what, body) {
  return request("POST", `${ctx.url()}/v3/clusters/runnel-local/brokers/${broker}/${what}`, body);
}
