import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-"));
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function json(method: string, url: string, body?: unknown, contentType = "application/json") {
  const res = await fetch(url, { method, headers: { "content-type": contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function readAll(base: string, topic: string, partition: number): Promise<string[]> {
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const res = await json("GET", `${base}/v3/clusters/${CLUSTER}/topics/${topic}/partitions/${partition}/records?offset=${offset}&format=string`);
    expect(res.status).toBe(200);
    if (res.body.records.length === 0) return values;
    for (const r of res.body.records) {
      expect(r.offset).toBe(offset);
      values.push(r.value);
      offset++;
    }
  }
}

describe("the local server started as `npm start` does", () => {
  it("keeps every produced record, in order, across a restart on the same directory", async () => {
    const port = await freePort();
    server = await startServer(port, dir);
    const base = server.url;
    const created = await json("POST", `${base}/v3/clusters/${CLUSTER}/topics`, { topic_name: "e2e-orders", partitions_count: 3 });
    expect(created.status).toBe(201);

    const expected: string[][] = [[], [], []];
    for (let round = 0; round < 10; round++) {
      const records = Array.from({ length: 300 }, (_, i) => ({ value: btoa(`r${round}-${i}`), partition: i % 3 }));
      const res = await json("POST", `${base}/topics/e2e-orders`, { records }, "application/vnd.kafka.binary.v2+json");
      expect(res.status).toBe(200);
      for (const r of records) expected[r.partition]!.push(atob(r.value));
    }
    for (let p = 0; p < 3; p++) expect(await readAll(base, "e2e-orders", p)).toEqual(expected[p]);

    await server.stop();
    server = await startServer(port, dir);

    const topic = await json("GET", `${base}/v3/clusters/${CLUSTER}/topics/e2e-orders`);
    expect(topic.body).toMatchObject({ topic_name: "e2e-orders", partitions_count: 3 });
    for (let p = 0; p < 3; p++) expect(await readAll(base, "e2e-orders", p)).toEqual(expected[p]);

    const more = await json("POST", `${base}/topics/e2e-orders/partitions/0`, { records: [{ value: "after restart" }] });
    expect(more.body.offsets[0]).toMatchObject({ partition: 0, offset: 1000 });
  });
});
