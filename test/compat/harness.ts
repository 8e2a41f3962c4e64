// The compatibility suite's harness: one real server (`npm start`) per
// test file, and raw HTTP exchanges with full control of the headers
// (node:http, so no header is added that the case did not ask for).
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { freePort, startServer, type RunningServer } from "../e2e/server";

export const CLUSTER = "runnel-local";
export const V3 = `/v3/clusters/${CLUSTER}`;

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: any;
  /** The response's media type without parameters. */
  type: string | undefined;
}

let server: RunningServer | null = null;
let dir = "";

/** Starts this file's server before its tests and stops it after them. */
export function useServer(): void {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "runnel-compat-"));
    server = await startServer(await freePort(), dir);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
}

/** This file's server's base URL. */
export function baseUrl(): string {
  if (server === null) throw new Error("no server: call useServer() in the file");
  return server.url;
}

/**
 * One HTTP exchange. `body` is sent as given (a string) or as JSON (with
 * `content-type: application/json` unless `headers` names another type or
 * `null` to send none).
 */
export function exchange(method: string, path: string, body?: unknown, headers: Record<string, string | null> = {}): Promise<Exchange> {
  const url = new URL(path, baseUrl());
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const sent: Record<string, string> = {};
  if (text !== undefined && !("content-type" in lower(headers))) sent["content-type"] = "application/json";
  for (const [k, v] of Object.entries(headers)) if (v !== null) sent[k] = v;
  if (text !== undefined) sent["content-length"] = String(Buffer.byteLength(text));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: sent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try {
          json = raw === "" ? undefined : JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const type = res.headers["content-type"]?.split(";")[0]?.trim();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: raw, json, type });
      });
      res.on("error", reject);
    });
    // A server that refuses a large body early closes while it is still being written: wait for its answer.
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ECONNRESET") setTimeout(() => reject(e), 5_000).unref();
      else reject(e);
    });
    if (text !== undefined) req.write(text);
    req.end();
  });
}

function lower(h: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Creates a topic over v3 and fails the test unless it is created. */
export async function topic(name: string, partitions = 1, configs: { name: string; value: string }[] = []): Promise<void> {
  const res = await exchange("POST", `${V3}/topics`, { topic_name: name, partitions_count: partitions, configs });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
}

/** The high watermark of a partition (v2 offsets summary's end_offset). */
export async function endOffset(name: string, partition = 0): Promise<number> {
  const res = await exchange("GET", `/topics/${name}/partitions/${partition}/offsets`);
  if (res.status !== 200) throw new Error(`offsets of ${name}/${partition}: ${res.status} ${res.text}`);
  return res.json.end_offset;
}

export const V2_JSON = "application/vnd.kafka.v2+json";
export const BINARY_V2 = "application/vnd.kafka.binary.v2+json";
export const JSON_V2 = "application/vnd.kafka.json.v2+json";
export const b64 = (s: string) => Buffer.from(s).toString("base64");
