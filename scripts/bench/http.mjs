// A lean HTTP client for the benchmark: node:http with keep-alive costs
// far less client CPU per byte than fetch(), so the two cores go to the
// server rather than to the benchmark.
import { Agent, request } from "node:http";

/** A client for `base` (http://host:port); `headers` go with every request (an Authorization, say). */
export function httpClient(base, headers = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const { hostname, port } = new URL(base);

  /** One HTTP exchange; resolves to { status, text }. */
  function http(method, path, body, contentType = "application/json") {
    return new Promise((resolve, reject) => {
      const sent = body === undefined ? headers : { ...headers, "content-type": contentType, "content-length": Buffer.byteLength(body) };
      const req = request({ agent, hostname, port, method, path, headers: sent }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  /** A GET answered with bytes; resolves to { status, headers, body } (body a Buffer). */
  function getBytes(path, accept) {
    return new Promise((resolve, reject) => {
      const req = request({ agent, hostname, port, method: "GET", path, headers: { ...headers, accept } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** POSTs and parses the JSON answer; throws on a status of 300 or more. */
  async function post(path, body, contentType = "application/json") {
    const res = await http("POST", path, body, contentType);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text);
  }

  return { http, getBytes, post };
}
