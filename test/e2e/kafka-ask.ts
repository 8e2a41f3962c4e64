// Kafka requests written and read with the front door's generated codecs
// over a bare connection: header v1 or v2 and response header v0 or v1 as
// the API version has them, every response read whole. Optionally logs in
// with SASL/PLAIN first.
import { expect } from "vitest";
import { type ApiMessages, apis, requestHeaderVersion, responseHeaderVersion } from "../../src/gateway/codec/generated";
import { Reader } from "../../src/gateway/codec/reader";
import { type Init, readUnknownTaggedFields } from "../../src/gateway/codec/tagged";
import { Writer } from "../../src/gateway/codec/writer";
import { KafkaSocket } from "./kafka-socket";

export class KafkaAsker {
  private correlationId = 0;

  private constructor(readonly socket: KafkaSocket) {}

  /** Connects to the front door on `port`; with `user`/`password`, logs in with SASL/PLAIN (handshake v1, authenticate v2). */
  static async connect(port: number, login?: { user: string; password: string }): Promise<KafkaAsker> {
    const asker = new KafkaAsker(await KafkaSocket.connect(port));
    if (login !== undefined) {
      expect((await asker.ask(apis.SaslHandshake, 1, { mechanism: "PLAIN" })).errorCode).toBe(0);
      const authBytes = new TextEncoder().encode(`\u0000${login.user}\u0000${login.password}`);
      expect((await asker.ask(apis.SaslAuthenticate, 2, { authBytes })).errorCode).toBe(0);
    }
    return asker;
  }

  /** Sends `fields` as `messages`' request in `version`; the whole response, read with the generated decoder. */
  async ask<Req, Res>(messages: ApiMessages<Req, Res>, version: number, fields: Init<Req>): Promise<Res> {
    const body = new Writer();
    messages.writeRequest(body, version, fields);
    const id = ++this.correlationId;
    const header = new Writer().int16(messages.key).int16(version).int32(id).string("kafka-ask", false);
    if (requestHeaderVersion(messages.key, version) === 2) header.uvarint(0);
    const request = Buffer.concat([header.toBytes(), body.toBytes()]);
    const sized = Buffer.alloc(4 + request.length);
    sized.writeInt32BE(request.length, 0);
    request.copy(sized, 4);
    this.socket.write(sized);
    const frame = await this.socket.next();
    expect(frame.correlationId).toBe(id);
    const r = new Reader(frame.body);
    if (responseHeaderVersion(messages.key, version) === 1) readUnknownTaggedFields(r);
    const res = messages.readResponse(r, version);
    expect(r.remaining, `${messages.name} v${version}: bytes left over`).toBe(0);
    return res;
  }

  close(): void {
    this.socket.close();
  }
}
