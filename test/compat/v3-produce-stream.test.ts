// Streamed v3 produce, as Confluent's own example drives it
// (confluentinc/kafka-rest examples/produce_v3/javascript/main.js): one
// HTTP request with `Transfer-Encoding: chunked`, records written one by
// one, receipts read from the same connection while the body still
// streams. Here each record is written only after the previous one's
// receipt arrived — a server that answers only at the end of the body
// would never send the first receipt, and the case times out.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { baseUrl, exchange, topic, useServer, V3 } from "./harness";

useServer();

/** Opens a chunked produce request; `next()` resolves with the next receipt line. */
function openStream(path: string) {
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffered = "";
  let response: IncomingMessage | null = null;
  const req: ClientRequest = httpRequest(new URL(path, baseUrl()), {
    method: "POST",
    headers: { "transfer-encoding": "chunked", "content-type": "application/json" },
  });
  const ended = new Promise<void>((resolveEnd, reject) => {
    req.on("response", (res) => {
      response = res;
      res.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        let nl = buffered.indexOf("\n");
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line !== "") {
            const w = waiters.shift();
            if (w) w(line);
            else lines.push(line);
          }
          nl = buffered.indexOf("\n");
        }
      });
      res.on("end", () => {
        // A last line without its newline (an error body) still counts.
        if (buffered.trim() !== "") {
          const w = waiters.shift();
          if (w) w(buffered.trim());
          else lines.push(buffered.trim());
        }
        resolveEnd();
      });
    });
    req.on("error", reject);
  });
  const stream = {
    req,
    ended,
    status: () => response?.statusCode,
    type: () => response?.headers["content-type"]?.split(";")[0],
    /** The next receipt, or a rejection after `ms` without one. */
    next(ms = 5_000): Promise<any> {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(JSON.parse(ready));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no receipt within ${ms} ms while the body was still open`)), ms);
        waiters.push((line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        });
      });
    },
  };
  return stream;
}

describe("streamed v3 produce (Confluent examples/produce_v3/javascript/main.js)", () => {
  it("answers each record while the request body is still streaming", async () => {
    await topic("compat-stream");
    const s = openStream(`${V3}/topics/compat-stream/records`);
    for (let i = 1; i <= 10; i++) {
      // main.js writes concatenated JSON objects with no separator.
      s.req.write(JSON.stringify({ value: { type: "JSON", data: { foo: i } } }));
      const receipt = await s.next();
      expect(receipt).toMatchObject({ error_code: 200, cluster_id: "runnel-local", topic_name: "compat-stream", partition_id: 0, offset: i - 1, value: { type: "JSON", size: String(i).length + 8 } });
      expect(typeof receipt.timestamp).toBe("string");
    }
    s.req.end();
    await s.ended;
    expect(s.status()).toBe(200);
    // Confluent's type (ProduceAction @Produces(APPLICATION_JSON)): what its Go SDK's JSON check and Java client read.
    expect(s.type()).toBe("application/json");
    const got = await exchange("GET", `${V3}/topics/compat-stream/partitions/0/records?offset=0&format=json`);
    expect(got.json.records.map((r: any) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => ({ foo: i + 1 })));
  });

  it("reports a bad record in its line and keeps streaming the rest", async () => {
    await topic("compat-stream-bad");
    const s = openStream(`${V3}/topics/compat-stream-bad/records`);
    s.req.write('{"value":{"type":"STRING","data":"a"}}\n');
    expect(await s.next()).toMatchObject({ error_code: 200, offset: 0 });
    s.req.write('{"valur":{"type":"STRING","data":"typo"}}\n');
    expect(await s.next()).toMatchObject({ error_code: 42206, message: expect.stringMatching(/valur/) });
    s.req.write('{"value":{"type":"STRING","data":"b"}}');
    expect(await s.next()).toMatchObject({ error_code: 200, offset: 1 });
    s.req.end();
    await s.ended;
    const got = await exchange("GET", `${V3}/topics/compat-stream-bad/partitions/0/records?offset=0&format=string`);
    expect(got.json.records.map((r: any) => r.value)).toEqual(["a", "b"]);
  });

  it("refuses a stream to an unknown topic with a plain 404 before any receipt", async () => {
    const s = openStream(`${V3}/topics/compat-stream-nope/records`);
    s.req.write('{"value":{"type":"STRING","data":"a"}}');
    s.req.end();
    const line = await s.next();
    await s.ended;
    expect(s.status()).toBe(404);
    expect(line.error_code).toBe(40401);
  });
});
