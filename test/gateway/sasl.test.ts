// SASL/PLAIN in the front door, in-process against a stand-in Worker that
// knows one key (alice.s3cret) and records which key each call carried:
// what may come before authentication, the credentials checked with the
// Worker and then carried by every call of that connection, the errors
// and closes Kafka's brokers give, and SaslHandshake v0's raw token.
import http from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { saslAuthenticate } from "../../src/gateway/apis/sasl-authenticate";
import { saslHandshake } from "../../src/gateway/apis/sasl-handshake";
import { Reader } from "../../src/gateway/codec/reader";
import { KafkaCode } from "../../src/gateway/errors";
import { type RunningGateway, saslModeOf, startGateway } from "../../src/gateway/gateway";
import { keyOfPlainToken } from "../../src/gateway/server/sasl-session";
import { KafkaSocket, rawRequest } from "../e2e/kafka-socket";
import { kafkajsReads, kafkajsRequest, ourDecode, ourEncode, toHex } from "./kafkajs";

const GOOD = "Bearer alice.s3cret";

interface Worker {
  url: string;
  /** The Authorization header of every call (or "none"), in order. */
  seen: string[];
  close(): Promise<void>;
}

/** A stand-in Worker: 401 / 40101 without alice's key (or with `openToAll`, serves anyone), one topic "t". */
async function startWorker(openToAll = false): Promise<Worker> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? "none";
    seen.push(auth);
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (!openToAll && auth !== GOOD) return json(401, { error_code: 40101, message: "an API key is required", error_name: "SASL_AUTHENTICATION_FAILED" });
    if (req.url === "/v3/clusters") return json(200, { data: [{ cluster_id: "fake" }] });
    if (req.url === "/v3/clusters/fake/topics/t") return json(200, { topic_name: "t", partitions_count: 1, replication_factor: 1 });
    json(404, { error_code: 40401, message: `no ${req.url}`, error_name: "UNKNOWN_TOPIC_OR_PARTITION" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const plain = (user: string, password: string, authzid = "") => Buffer.from(`${authzid}\0${user}\0${password}`);
const handshake = (id: number, mechanism = "PLAIN", v = 1) => kafkajsRequest("saslHandshake", v, { mechanism }, id);
/** kafkajs's SaslAuthenticate request carrying `token` (kafkajs hands it the token already length-prefixed, as the field is BYTES). */
const authenticate = (id: number, token: Buffer, v = 1) => kafkajsRequest("saslAuthenticate", v, { authBytes: bytesField(token) }, id);
const bytesField = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, b.length >> 8, b.length & 0xff]), b]);
const metadataFor = (id: number) => kafkajsRequest("metadata", 1, { topics: ["t"] }, id);

/** The error code and partition count of the one topic in a Metadata v1 response. */
function topicOf(body: Buffer): [number, number] {
  const r = new Reader(body);
  r.array(false, (r) => [r.int32(), r.string(false), r.int32(), r.nullableString(false)], 1);
  r.int32();
  const [t] = r.array(false, (r) => [r.int16(), r.string(false), r.bool(), r.array(false, (r) => [r.int16(), r.int32(), r.int32(), r.array(false, (r) => r.int32(), 1), r.array(false, (r) => r.int32(), 1)], 1)] as const, 1);
  return [t![0], t![3].length];
}

/** SaslAuthenticate v1 response: error code, message, session lifetime. */
function authenticated(body: Buffer): [number, string | null, number] {
  const r = new Reader(body);
  const code = r.int16();
  const message = r.nullableString(false);
  r.nullableBytes(false);
  return [code, message, r.int64()];
}

let worker: Worker | null = null;
let gateway: RunningGateway | null = null;

afterEach(async () => {
  await gateway?.stop();
  await worker?.close();
  gateway = null;
  worker = null;
  vi.restoreAllMocks();
});

async function start(sasl: "required" | "off", openToAll = false, key?: string): Promise<KafkaSocket> {
  worker = await startWorker(openToAll);
  gateway = await startGateway({ url: worker.url, port: 0, quiet: true, sasl, ...(key === undefined ? {} : { key }) });
  return KafkaSocket.connect(gateway.port);
}

describe("SASL/PLAIN when required", () => {
  it("allows ApiVersions before authentication, and answers anything else ILLEGAL_SASL_STATE, then closes", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const socket = await start("required", false, "frontdoor.own-key");
    socket.write(Buffer.concat([rawRequest(18, 0, 1), await metadataFor(2)]));
    expect((await socket.next()).correlationId).toBe(1);
    const refused = await socket.next();
    expect([refused.correlationId, topicOf(refused.body)]).toEqual([2, [KafkaCode.ILLEGAL_SASL_STATE, 0]]);
    await socket.closed();
    expect(worker!.seen).toEqual([]); // the Worker was never asked, least of all with the front door's own key
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("authenticate first"));
  });

  it("checks the credentials with the Worker, then carries them on every call of that connection", async () => {
    const socket = await start("required", false, "frontdoor.own-key");
    try {
      // Pipelined at once: Metadata waits for the authentication before it is served.
      socket.write(Buffer.concat([await handshake(1), await authenticate(2, plain("alice", "s3cret")), await metadataFor(3)]));
      const hs = new Reader((await socket.next()).body);
      expect([hs.int16(), hs.array(false, (r) => r.string(false), 1)]).toEqual([0, ["PLAIN"]]);
      expect(authenticated((await socket.next()).body)).toEqual([0, null, 0]);
      expect(topicOf((await socket.next()).body)).toEqual([0, 1]);
      expect(new Set(worker!.seen)).toEqual(new Set([GOOD]));
    } finally {
      socket.close();
    }
  });

  it("answers a wrong password SASL_AUTHENTICATION_FAILED with the reason, and closes", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const socket = await start("required");
    socket.write(Buffer.concat([await handshake(1), await authenticate(2, plain("alice", "wrong")), await metadataFor(3)]));
    await socket.next();
    const [code, message] = authenticated((await socket.next()).body);
    expect([code, message]).toEqual([KafkaCode.SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid user name or password"]);
    await socket.closed();
    expect(socket.received.map((f) => f.correlationId)).toEqual([1, 2]);
    expect(worker!.seen).toEqual(["Bearer alice.wrong"]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("SASL/PLAIN authentication failed"));
  });

  it("refuses tokens that are not user name and password without asking the Worker", async () => {
    expect(keyOfPlainToken(plain("alice", "s3cret"))).toBe("alice.s3cret");
    expect(keyOfPlainToken(plain("alice", "s3cret", "alice"))).toBe("alice.s3cret");
    expect(keyOfPlainToken(plain("alice", "s3cret", "admin"))).toEqual({ problem: expect.stringMatching(/another user/) });
    expect(keyOfPlainToken(Buffer.from("alice\0s3cret"))).toEqual({ problem: expect.stringMatching(/\[authzid\] NUL/) });
    expect(keyOfPlainToken(plain("alice", "with space"))).toEqual({ problem: "invalid user name or password" });
    expect(keyOfPlainToken(plain("alice", "x".repeat(5000)))).toEqual({ problem: expect.stringMatching(/over 2048 bytes/) });
  });

  it("answers another mechanism UNSUPPORTED_SASL_MECHANISM with PLAIN, and closes", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const socket = await start("required");
    socket.write(await handshake(1, "SCRAM-SHA-256"));
    const r = new Reader((await socket.next()).body);
    expect([r.int16(), r.array(false, (r) => r.string(false), 1)]).toEqual([KafkaCode.UNSUPPORTED_SASL_MECHANISM, ["PLAIN"]]);
    await socket.closed();
    expect(warn).toHaveBeenCalled();
  });

  it("after SaslHandshake v0 reads one raw PLAIN token and answers an empty one", async () => {
    worker = await startWorker();
    gateway = await startGateway({ url: worker.url, port: 0, quiet: true, sasl: "required" });
    const socket = connect(gateway.port, "127.0.0.1");
    let bytes = Buffer.alloc(0);
    socket.on("data", (c: Buffer) => (bytes = Buffer.concat([bytes, c])));
    try {
      await new Promise((resolve) => socket.once("connect", resolve));
      const token = plain("alice", "s3cret");
      const raw = Buffer.alloc(4 + token.length);
      raw.writeInt32BE(token.length, 0);
      token.copy(raw, 4);
      const hs = await handshake(1, "PLAIN", 0);
      socket.write(Buffer.concat([hs, raw]));
      // The handshake's answer (size, correlation id 1, error 0, ["PLAIN"]), then an empty raw token: four zero bytes.
      const answer = "00000011" + "00000001" + "0000" + "00000001" + "0005" + Buffer.from("PLAIN").toString("hex");
      await until(() => bytes.length >= answer.length / 2 + 4);
      expect(bytes.toString("hex")).toBe(answer + "00000000");
      expect(worker.seen).toEqual([GOOD]);
      socket.write(await metadataFor(2));
      await until(() => bytes.length > answer.length / 2 + 12);
      expect(bytes.readInt32BE(answer.length / 2 + 8)).toBe(2); // the Metadata answer's correlation id: served, authenticated
    } finally {
      socket.destroy();
    }
  });
});

/** Waits (polling the event loop, at most 5 s) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("SASL off", () => {
  it("refuses a SaslHandshake with ILLEGAL_SASL_STATE, and carries the front door's key on every call", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const socket = await start("off", false, "alice.s3cret");
    socket.write(await metadataFor(1));
    expect(topicOf((await socket.next()).body)).toEqual([0, 1]);
    socket.write(await handshake(2));
    expect(new Reader((await socket.next()).body).int16()).toBe(KafkaCode.ILLEGAL_SASL_STATE);
    await socket.closed();
    expect(new Set(worker!.seen)).toEqual(new Set([GOOD]));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("SASL is not enabled"));
  });
});

describe("the SASL APIs' bytes", () => {
  it.each([0, 1])("SaslHandshake and SaslAuthenticate v%i read kafkajs's requests, and kafkajs reads the answers", async (v) => {
    expect(ourDecode(saslHandshake, await handshake(1, "PLAIN", v)).req).toEqual({ mechanism: "PLAIN" });
    expect((await kafkajsReads(saslHandshake, "saslHandshake", v, { errorCode: 0, mechanisms: ["PLAIN"] })).enabledMechanisms).toEqual(["PLAIN"]);
    const token = plain("alice", "s3cret");
    const req = ourDecode(saslAuthenticate, await authenticate(1, token, v)).req;
    expect(Buffer.from(req.authBytes)).toEqual(token);
    const d = await kafkajsReads(saslAuthenticate, "saslAuthenticate", v, { errorCode: 58, errorMessage: "nope", sessionLifetimeMs: 0 });
    expect(d).toMatchObject({ errorCode: 58, errorMessage: "nope" });
  });

  it("SaslAuthenticate v1 response byte vector", () => {
    const res = { errorCode: 0, errorMessage: null, sessionLifetimeMs: 0 };
    expect(toHex(ourEncode(saslAuthenticate, res, 1))).toBe("0000" + "ffff" + "00000000" + "0000000000000000");
  });
});

describe("saslModeOf", () => {
  it("says required when the Worker answers 401 without a key, off when it serves open", async () => {
    worker = await startWorker();
    expect(await saslModeOf(worker.url)).toBe("required");
    await worker.close();
    worker = await startWorker(true);
    expect(await saslModeOf(worker.url)).toBe("off");
  });
});
