import { SELF } from "cloudflare:test";

export const CLUSTER = "runnel-local";
export const V3 = `/v3/clusters/${CLUSTER}`;

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the Worker in-process; JSON bodies are sent and parsed. */
export async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { "content-type": "application/json", ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await SELF.fetch(`http://runnel.test${path}`, init);
  // Bytes, then UTF-8: workerd warns when .text() meets a type it does not call text (NDJSON).
  const text = new TextDecoder().decode(await res.arrayBuffer());
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    /* NDJSON or text: left as the raw string */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Creates a topic and fails the test if that does not work. */
export async function createTopic(name: string, partitions = 1, configs: { name: string; value: string }[] = [], replicationFactor?: number) {
  const res = await call("POST", `${V3}/topics`, { topic_name: name, partitions_count: partitions, configs, replication_factor: replicationFactor });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Fetches a partition from `offset` with format=string. */
export async function fetchStrings(topic: string, partition: number, offset: number, query = "") {
  return call("GET", `${V3}/topics/${topic}/partitions/${partition}/records?offset=${offset}&format=string${query}`);
}

export const b64 = (s: string) => btoa(s);
