// The client's stateless fetch inside workerd, against the Worker under
// test: it reads stored record batches (GET …/batches) and decodes them
// itself — every codec, LogAppendTime topics, offsets inside a batch, and
// the errors as before.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Runnel, RunnelError } from "../../src/client/index";
import type { CompressionName } from "../../src/client/index";

/** The client, with every path it requests recorded. */
function client() {
  const paths: string[] = [];
  const runnel = new Runnel({
    url: "http://runnel.test",
    fetch: (input, init) => {
      paths.push(`${init?.method ?? "GET"} ${new URL(input).pathname}`);
      return SELF.fetch(input, init);
    },
  });
  return { runnel, paths };
}

/** Produces one record per value through the v3 JSON API (the server encodes the batch with the topic's codec). */
async function produceJson(topic: string, values: string[]) {
  const body = values.map((v) => JSON.stringify({ partition_id: 0, key: { type: "STRING", data: "k" }, value: { type: "STRING", data: v } })).join("\n");
  const res = await SELF.fetch(`http://runnel.test/v3/clusters/runnel-local/topics/${topic}/records`, { method: "POST", headers: { "content-type": "application/json" }, body });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

describe("fetch reads record batches", () => {
  it("decodes batches of every codec the producer writes, and reads them as batches", async () => {
    const { runnel, paths } = client();
    await runnel.admin().createTopic("wf-codecs");
    const expected: string[] = [];
    // workerd has native zstd (through process.getBuiltinModule), so the producer writes all four codecs here.
    for (const compression of ["none", "gzip", "snappy", "lz4", "zstd"] as CompressionName[]) {
      const producer = runnel.producer({ compression });
      const values = Array.from({ length: 300 }, (_, i) => `${compression} ${i} ${"z".repeat(40)}`);
      await producer.send("wf-codecs", values.map((value, i) => ({ key: `k${i}`, value, headers: { codec: compression }, partition: 0 })));
      await producer.close();
      expected.push(...values);
    }
    const fetched = await runnel.fetch("wf-codecs", 0, 0, { maxBytes: 16 * 1024 * 1024 });
    expect(fetched.records.map((r) => r.value)).toEqual(expected);
    expect(fetched.records.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
    expect(fetched.records[0]).toMatchObject({ topic: "wf-codecs", partition: 0, key: "k0", headers: [{ name: "codec", value: "none" }] });
    expect(fetched).toMatchObject({ nextOffset: expected.length, highWatermark: expected.length, logStartOffset: 0 });
    expect(paths).toContain("GET /v3/clusters/runnel-local/topics/wf-codecs/partitions/0/batches");
    expect(paths.some((p) => p.endsWith("/records"))).toBe(false);
  });

  it("decodes zstd batches the server wrote for a topic whose compression.type is zstd", async () => {
    const { runnel } = client();
    await runnel.admin().createTopic("wf-zstd", { configs: { "compression.type": "zstd" } });
    const values = Array.from({ length: 50 }, (_, i) => `zstd ${i} ${"q".repeat(100)}`);
    await produceJson("wf-zstd", values);
    const raw = await SELF.fetch("http://runnel.test/v3/clusters/runnel-local/topics/wf-zstd/partitions/0/batches?offset=0");
    expect(new Uint8Array(await raw.arrayBuffer())[22]! & 7).toBe(4); // the stored batch is zstd
    const fetched = await runnel.fetch("wf-zstd", 0, 0, { format: "binary" });
    expect(fetched.records.map((r) => new TextDecoder().decode(r.value as Uint8Array))).toEqual(values);
  });

  it("starts inside a batch at the offset asked for, and gives LogAppendTime topics the append time", async () => {
    const { runnel } = client();
    await runnel.admin().createTopic("wf-append", { configs: { "message.timestamp.type": "LogAppendTime" } });
    const producer = runnel.producer({ compression: "gzip" });
    const before = Date.now();
    await producer.send("wf-append", Array.from({ length: 10 }, (_, i) => ({ value: { i }, timestamp: 1_000 + i })));
    await producer.close();
    const fetched = await runnel.fetch("wf-append", 0, 4, { format: "json" });
    expect(fetched.records.map((r) => [r.offset, r.value])).toEqual(Array.from({ length: 6 }, (_, i) => [4 + i, { i: 4 + i }]));
    expect(new Set(fetched.records.map((r) => r.timestamp)).size).toBe(1);
    expect(fetched.records[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(fetched.nextOffset).toBe(10);
  });

  it("fails format json with 42206 naming the record that is not JSON", async () => {
    const { runnel } = client();
    await runnel.admin().createTopic("wf-json");
    const producer = runnel.producer();
    await producer.send("wf-json", [{ value: { ok: 1 } }, { value: "not json" }, { value: [2] }]);
    await producer.close();
    const error = await runnel.fetch("wf-json", 0, 0, { format: "json" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect(error).toMatchObject({ errorCode: 42206, message: `the record at offset 1 of 'wf-json' partition 0 is not JSON; consume it with format "string" or "binary"` });
    expect((await runnel.fetch("wf-json", 0, 2, { format: "json" })).records.map((r) => r.value)).toEqual([[2]]);
    expect((await runnel.fetch("wf-json", 0, 0, { format: "string" })).records.map((r) => r.value)).toEqual(['{"ok":1}', "not json", "[2]"]);
  });

  it("reports the endpoint's errors as before", async () => {
    const { runnel } = client();
    await runnel.admin().createTopic("wf-errors");
    await expect(runnel.fetch("wf-errors", 0, 1)).rejects.toMatchObject({ errorCode: 41601, status: 416 });
    await expect(runnel.fetch("wf-no-such-topic", 0, 0)).rejects.toMatchObject({ errorCode: 40401, status: 404 });
    await expect(runnel.fetch("wf-errors", 5, 0)).rejects.toMatchObject({ errorCode: 40402 });
    await expect(runnel.fetch("wf-errors", 0, 0, { format: "avro" as never })).rejects.toMatchObject({ errorCode: 400 });
    const empty = await runnel.fetch("wf-errors", 0, 0);
    expect(empty).toEqual({ records: [], nextOffset: 0, highWatermark: 0, logStartOffset: 0 });
  });
});

describe("the client's fetch against a server that answers batches without their offsets", () => {
  it("is a RunnelError naming the missing header, not records with NaN offsets", async () => {
    const runnel = new Runnel({
      url: "http://runnel.test",
      // An empty batches answer without Runnel-Next-Offset and the other two headers, as an older server would send.
      fetch: async (input, init) =>
        new URL(input).pathname.endsWith("/batches")
          ? new Response(new Uint8Array(0), { status: 200, headers: { "content-type": "application/vnd.kafka.record-batch" } })
          : SELF.fetch(input, init),
    });
    const e = await runnel.fetch("any", 0, 0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RunnelError);
    expect((e as RunnelError).message).toMatch(/runnel-next-offset/);
  });

  it("refuses an offset header that is not an offset, naming it and what it held", async () => {
    for (const bad of ["-1", "1.5", "12abc", " ", "9007199254740993"]) {
      const runnel = new Runnel({
        url: "http://runnel.test",
        fetch: async (input, init) =>
          new URL(input).pathname.endsWith("/batches")
            ? new Response(new Uint8Array(0), {
                status: 200,
                headers: { "content-type": "application/vnd.kafka.record-batch", "runnel-next-offset": "0", "runnel-high-watermark": bad, "runnel-log-start-offset": "0" },
              })
            : SELF.fetch(input, init),
      });
      const e = await runnel.fetch("any", 0, 0).catch((x: unknown) => x);
      expect(e, `high watermark '${bad}'`).toBeInstanceOf(RunnelError);
      expect((e as RunnelError).message).toContain(`no valid runnel-high-watermark header (got '${bad.trim() === "" ? "" : bad}')`);
    }
  });
});
