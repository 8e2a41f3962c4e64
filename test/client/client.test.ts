// The client bundled into a Worker and run in workerd: HTTP through the
// fetch it is given (here the Worker under test), WebSockets through a
// fetch() upgrade, as a Worker calling Runnel over a service binding would.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Runnel, RunnelError } from "../../src/client/index";
import { checkBatch, readBatchHeader } from "../../src/record/record-batch";

const client = () => new Runnel({ url: "http://runnel.test", fetch: (input, init) => SELF.fetch(input, init) });

describe("the client inside workerd", () => {
  it("runs as a Worker (navigator.userAgent), with no Node built-in needed", () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
  });

  it("produces batches, consumes them in a group, and commits on close", async () => {
    const runnel = client();
    await runnel.admin().createTopic("w-client", { partitions: 2 });
    const producer = runnel.producer({ compression: "gzip" });
    const sent = await producer.send("w-client", Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 10}`, value: { i }, headers: { h: "x" } })));
    await producer.close();
    expect(sent).toHaveLength(200);
    const consumer = runnel.consumer<{ i: number }>({ group: "w-client-g", topics: ["w-client"], autoOffsetReset: "earliest", format: "json" });
    const seen = new Set<number>();
    for await (const r of consumer) {
      seen.add(r.value.i);
      expect(r.headers).toEqual([{ name: "h", value: "x" }]);
      if (seen.size === 200) break;
    }
    const lags = await runnel.admin().lags("w-client-g");
    expect(lags.reduce((n, l) => n + l.lag, 0)).toBe(0);
  });

  it("fetches without a group and reports the API's errors", async () => {
    const runnel = client();
    await runnel.admin().createTopic("w-fetch");
    const producer = runnel.producer({ compression: "snappy" });
    await producer.send("w-fetch", [{ value: "one" }, { value: new Uint8Array([0, 255]) }]);
    await producer.close();
    const fetched = await runnel.fetch("w-fetch", 0, 0, { format: "binary" });
    expect(fetched.records.map((r) => r.value)).toEqual([new TextEncoder().encode("one"), new Uint8Array([0, 255])]);
    const error = await runnel.fetch("w-fetch", 0, 9).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect(error).toMatchObject({ errorCode: 41601, status: 416 });
  });

  it("frames a batch with its records' max timestamp, which the server keeps as it is", async () => {
    const runnel = client();
    await runnel.admin().createTopic("w-max-time");
    const producer = runnel.producer();
    const nowMs = Date.now();
    await producer.send("w-max-time", [nowMs - 3_000, nowMs - 1_000, nowMs - 2_000].map((timestamp, i) => ({ value: `${i}`, timestamp })));
    await producer.close();
    const res = await SELF.fetch("http://runnel.test/v3/clusters/runnel-local/topics/w-max-time/partitions/0/batches?offset=0", { headers: { accept: "application/vnd.kafka.record-batch" } });
    const stored = new Uint8Array(await res.arrayBuffer());
    expect(readBatchHeader(stored)).toMatchObject({ recordCount: 3, baseTimestampMs: nowMs - 3_000, maxTimestampMs: nowMs - 1_000 });
    expect(checkBatch(stored)).toBeNull();
  });

  it("refuses a timestamp the server would not store before sending anything", async () => {
    const runnel = client();
    const producer = runnel.producer();
    for (const timestamp of [-1, 253_402_300_800_000]) {
      const error = await producer.send("w-never-sent", [{ value: "x", timestamp }]).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: 400, message: expect.stringMatching(/^timestamp must be epoch milliseconds from 0 to 253402300799999/) });
    }
    await producer.close();
  });
});
