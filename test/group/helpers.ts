import { call } from "../helpers";

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

export async function assignment(base: string): Promise<string[]> {
  const res = await call("GET", `${base}/assignments`);
  return res.body.partitions.map((p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`).sort();
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

/** Checks that every partition's records came in order, each exactly once. */
export function inOrderOnce(got: Got[], partitions: number, count: number): void {
  for (let p = 0; p < partitions; p++) {
    const values = got.filter((g) => g.partition === p).map((g) => g.value);
    const expected = Array.from({ length: count }, (_, i) => `p${p}-${i}`);
    if (JSON.stringify(values) !== JSON.stringify(expected)) throw new Error(`partition ${p}: got ${JSON.stringify(values.slice(0, 5))}… (${values.length}), expected ${count} in order`);
  }
}
