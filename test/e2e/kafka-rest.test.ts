// Confluent's Node client for the REST Proxy, the `kafka-rest` npm package
// (0.0.5), unchanged against the real server. It speaks v1 only: produce
// with `application/vnd.kafka.binary.v1+json`, consumer instances created
// with v1 bodies (`auto.offset.reset: smallest`), records read by
// `GET /consumers/{g}/instances/{i}/topics/{t}` (the first read subscribes
// the instance to the topic), a commit of everything read so far with an
// empty POST, and DELETE to leave.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

type Callback<T> = (err: Error | null, result: T) => void;
interface Message {
  key: Buffer | null;
  value: Buffer | null;
  partition: number;
  offset: number;
}
interface ConsumerStream {
  on(event: "data", listener: (messages: Message[]) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
}
interface ConsumerInstance {
  id: string;
  subscribe(topic: string, options?: { requestDelay?: number }): ConsumerStream;
  commit(cb: Callback<unknown>): void;
  shutdown(cb: Callback<unknown>): void;
}
interface KafkaRestClient {
  topic(name: string): { produce(...args: unknown[]): void };
  consumer(group: string): { join(opts: Record<string, string>, cb: Callback<ConsumerInstance>): void };
}
const KafkaRest = createRequire(import.meta.url)("kafka-rest") as new (config: { url: string }) => KafkaRestClient;

/** A node-style call as a promise. */
function call<T>(run: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, result) => (err ? reject(err) : resolve(result))));
}

const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-kafka-rest-"));
let server: RunningServer;

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function json(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

describe("the kafka-rest npm package (Confluent's Node client, v1)", () => {
  it("produces, consumes and commits; the commit is what the group's lags and its next instance see", async () => {
    const C = "/v3/clusters/runnel-local";
    expect((await json("POST", `${C}/topics`, { topic_name: "kr-orders", partitions_count: 1 })).status).toBe(201);
    const kafka = new KafkaRest({ url: server.url });

    const produced = await call<{ offsets: { partition: number; offset: number }[] }>((cb) => kafka.topic("kr-orders").produce("first", "second", "third", cb));
    expect(produced.offsets.map((o) => o.offset)).toEqual([0, 1, 2]);

    const ci = await call<ConsumerInstance>((cb) =>
      kafka.consumer("kr-group").join({ format: "binary", "auto.offset.reset": "smallest", "auto.commit.enable": "false" }, cb),
    );
    const stream = ci.subscribe("kr-orders");
    const got: Message[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("data", (messages) => {
        got.push(...messages);
        if (got.length >= 3) resolve();
      });
    });
    expect(got.map((m) => [m.offset, m.value?.toString()])).toEqual([[0, "first"], [1, "second"], [2, "third"]]);

    await call((cb) => ci.commit(cb));
    const lags = await json("GET", `${C}/consumer-groups/kr-group/lags`);
    expect(lags.body.data.map((r: Record<string, unknown>) => [r.topic_name, r.current_offset, r.lag])).toEqual([["kr-orders", 3, 0]]);
    await call((cb) => ci.shutdown(cb));
    expect((await json("GET", `${C}/consumer-groups/kr-group`)).body.consumers).toEqual([]);

    // A new instance of the group starts after what was committed.
    await call((cb) => kafka.topic("kr-orders").produce("fourth", cb));
    const next = await call<ConsumerInstance>((cb) => kafka.consumer("kr-group").join({ format: "binary", "auto.offset.reset": "smallest" }, cb));
    const more = await new Promise<Message[]>((resolve, reject) => {
      const s = next.subscribe("kr-orders");
      s.on("error", reject);
      s.on("data", resolve);
    });
    expect(more.map((m) => [m.offset, m.value?.toString()])).toEqual([[3, "fourth"]]);
    await call((cb) => next.shutdown(cb));
  });

  it("gets Confluent's errors: 40901 for a second topic, 40403 for an unknown instance", async () => {
    const C = "/v3/clusters/runnel-local";
    expect((await json("POST", `${C}/topics`, { topic_name: "kr-a", partitions_count: 1 })).status).toBe(201);
    expect((await json("POST", `${C}/topics`, { topic_name: "kr-b", partitions_count: 1 })).status).toBe(201);
    const kafka = new KafkaRest({ url: server.url });
    const ci = await call<ConsumerInstance>((cb) => kafka.consumer("kr-errors").join({ format: "binary", "auto.offset.reset": "smallest" }, cb));
    const read = (topic: string) =>
      new Promise<Error | Message[]>((resolve) => {
        const s = ci.subscribe(topic, { requestDelay: 50 });
        s.on("error", resolve);
        s.on("data", resolve);
      });
    await call<unknown>((cb) => kafka.topic("kr-a").produce("a", cb));
    expect(await read("kr-a")).toHaveLength(1);
    const second = (await read("kr-b")) as Error & { status?: number; data?: { error_code?: number } };
    expect(second.status).toBe(409);
    expect(second.data?.error_code).toBe(40901);
    // Not ci.shutdown(): it waits for every stream to end, and the refused one never reads again.
    expect((await json("DELETE", `/consumers/kr-errors/instances/${ci.id}`)).status).toBe(204);
    const gone = await json("GET", `/consumers/kr-errors/instances/${ci.id}/topics/kr-a`);
    expect(gone.body.error_code).toBe(40403);
  });
});
