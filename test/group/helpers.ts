import { env, runInDurableObject, SELF } from "cloudflare:test";
import { expect } from "vitest";
import { call, V3 } from "../helpers";

/** Creates a consumer instance; returns its base path. */
export async function consumer(group: string, config: Record<string, unknown> = {}): Promise<string> {
  const res = await call("POST", `/consumers/${group}`, { format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false", ...config });
  if (res.status !== 200) throw new Error(`create consumer: ${res.status} ${JSON.stringify(res.body)}`);
  return new URL(res.body.base_uri).pathname;
}

export async function subscribe(base: string, topics: string[]) {
  const res = await call("POST", `${base}/subscription`, { topics });
  if (res.status !== 204) throw new Error(`subscribe: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The partitions an instance owns now, as "topic-partition" (a request, so it counts as the instance's heartbeat). */
export async function assignment(base: string): Promise<string[]> {
  const res = await call("GET", `${base}/assignments`);
  if (res.status !== 200) throw new Error(`assignments: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.partitions.map((p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`).sort();
}

/** A group's lag rows as [topic, partition, current_offset, log_end_offset, lag]. */
export async function lags(group: string): Promise<[string, number, number | null, number, number][]> {
  const res = await call("GET", `${V3}/consumer-groups/${group}/lags`);
  if (res.status !== 200) throw new Error(`lags: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.map((r: any) => [r.topic_name, r.partition_id, r.current_offset, r.log_end_offset, r.lag]);
}

/**
 * Checks `check` every 20 ms until it returns a truthy value; fails the
 * test naming `what` when `timeoutMs` passes first.
 */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Got {
  topic: string;
  partition: number;
  offset: number;
  value: string;
}

/** Polls until `count` records came back (or `timeoutMs` passes). */
export async function pollUntil(base: string, count: number, timeoutMs = 10_000): Promise<Got[]> {
  const out: Got[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const res = await call("GET", `${base}/records?timeout=200`);
    if (res.status !== 200) throw new Error(`poll: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body);
  }
  return out;
}

/** Produces `count` records per partition ("p{partition}-{i}") with explicit partitions. */
export async function fill(topic: string, partitions: number, count: number) {
  const records = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < count; i++) records.push({ value: `p${p}-${i}`, partition: p });
  const res = await call("POST", `/topics/${topic}`, { records });
  if (res.status !== 200) throw new Error(`fill: ${JSON.stringify(res.body)}`);
}

/** Expects every partition's records to have come in order, each exactly once. */
export function inOrderOnce(got: Got[], partitions: number, count: number): void {
  for (let p = 0; p < partitions; p++) {
    const values = got.filter((g) => g.partition === p).map((g) => g.value);
    expect(values, `partition ${p}`).toEqual(Array.from({ length: count }, (_, i) => `p${p}-${i}`));
  }
}

/** Sets a broker down, slow or healthy again (development-mode faults). */
export async function fault(broker: number, mode: "down" | "heal") {
  const res = await call("POST", `${V3}/brokers/${broker}/faults`, { mode });
  if (res.status !== 204) throw new Error(`fault ${broker} ${mode}: ${res.status} ${JSON.stringify(res.body)}`);
}

export type Frame = Record<string, any>;

/** A subscriber socket that records every frame (offering `protocols`, by default runnel.v1). */
export async function subscriber(group: string, query: string, protocols = "runnel.v1") {
  const res = await SELF.fetch(`http://runnel.test/ws/v1/consumer/${group}?${query}`, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": protocols },
  });
  if (res.status !== 101) throw new Error(`upgrade: ${res.status} ${await res.text()}`);
  const ws = res.webSocket!;
  ws.accept();
  const frames: Frame[] = [];
  ws.addEventListener("message", (e) => {
    if (e.data !== "pong") frames.push(JSON.parse(e.data as string)); // "pong": the runtime's answer to "ping"
  });
  const until = (what: string, check: () => boolean, timeoutMs = 5000) =>
    waitFor(`${what}; frames: ${JSON.stringify(frames).slice(0, 500)}`, check, timeoutMs);
  const records = () => frames.filter((f) => f.type === "records").flatMap((f) => f.records.map((r: Frame) => ({ ...r, partition: f.partition })));
  const lastAssignment = () => [...frames].reverse().find((f) => f.type === "assignment");
  return { ws, frames, until, records, lastAssignment, protocol: res.headers.get("sec-websocket-protocol") };
}


/**
 * Teardown for files with WebSocket subscribers: deletes the topics named
 * `topicPrefix`… (waking parked reads), then waits until no group's delivery
 * pump runs, so none calls into the environment as it closes.
 */
export async function stopPumps(topicPrefix: string): Promise<void> {
  const topics = (await call("GET", `${V3}/topics`)).body.data.map((t: { topic_name: string }) => t.topic_name);
  for (const t of topics.filter((name: string) => name.startsWith(topicPrefix))) await call("DELETE", `${V3}/topics/${t}`);
  const groups = (await call("GET", `${V3}/consumer-groups`)).body.data.map((g: { consumer_group_id: string }) => g.consumer_group_id);
  for (const g of groups) await waitFor(`${g}'s pumps to stop`, () => pumpsIdle(g));
}

/** Whether no delivery pump runs in group `group` (each subscriber waits for credit or records). */
function pumpsIdle(group: string): Promise<boolean> {
  const stub = env.GROUPS.get(env.GROUPS.idFromName(group)) as unknown as DurableObjectStub;
  return runInDurableObject<DurableObject, boolean>(stub, (instance) => (instance as unknown as { delivery: { idle(): boolean } }).delivery.idle());
}
