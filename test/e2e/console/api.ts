// The API over plain HTTP, beside the console: what a test produces,
// consumes or checks without the page.
export const CLUSTER = "/v3/clusters/runnel-local";

export interface Answer {
  status: number;
  body: any;
}

/** One JSON call; `key` as a Bearer token when given. */
export async function call(base: string, method: string, path: string, body?: unknown, key?: string, contentType = "application/json"): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = contentType;
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

/** Produces one v3 record (`value` as the given type) and answers its report. */
export async function produce(base: string, topic: string, record: Record<string, unknown>, key?: string): Promise<Answer> {
  return call(base, "POST", `${CLUSTER}/topics/${encodeURIComponent(topic)}/records`, record, key);
}

const V2 = "application/vnd.kafka.v2+json";

/** A v2 consumer instance in `group` subscribed to `topic`, that has read and committed everything there is; returns its path. */
export async function consumerThatCommitted(base: string, group: string, topic: string, name: string): Promise<string> {
  const made = await call(base, "POST", `/consumers/${group}`, { name, format: "binary", "auto.offset.reset": "earliest" }, undefined, V2);
  if (made.status !== 200) throw new Error(`consumer create: ${made.status} ${JSON.stringify(made.body)}`);
  const path = `/consumers/${group}/instances/${name}`;
  const sub = await call(base, "POST", `${path}/subscription`, { topics: [topic] }, undefined, V2);
  if (sub.status !== 204) throw new Error(`subscribe: ${sub.status} ${JSON.stringify(sub.body)}`);
  // The first reads may come back empty while the group settles; read until nothing more comes.
  let read = 0;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${base}${path}/records?timeout=500`, { headers: { accept: "application/vnd.kafka.binary.v2+json" } });
    const records = (await res.json()) as unknown[];
    read += records.length;
    if (read > 0 && records.length === 0) break;
  }
  const commit = await call(base, "POST", `${path}/offsets`, undefined, undefined, V2);
  if (commit.status !== 200 && commit.status !== 204) throw new Error(`commit: ${commit.status} ${JSON.stringify(commit.body)}`);
  return path;
}
