/**
 * WebSocket subscribers of a group. Sockets use the Hibernation API, and
 * "ping" text frames are answered by the runtime without waking the
 * object. Each socket's credit (permits granted, records sent) lives in
 * its attachment, so it survives hibernation and rebalances: the server
 * never sends more records than granted. One pump per owned partition
 * long-polls the leader and sends what the credit allows; with no credit
 * nothing is read, so a slow subscriber never makes the server buffer.
 * A pump long-polls briefly (cheap while records keep coming); after a
 * quiet spell it leaves a watch on the partition and ends, and the
 * partition tells the coordinator when records arrive. So an idle
 * subscriber holds no read open, and the object can hibernate.
 */
import { ErrorCode, httpStatusOf } from "../errors";
import { parseFormat, type RecordFormat } from "../fetch/format";
import { renderBatches } from "../fetch/render";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { topicMeta } from "../metadata/topic-cache";
import type { FetchOk } from "../partition/types";
import type { GroupCoordinator } from "./coordinator";
import { owned } from "./coordinator";
import { parseOffsets } from "./parse-offsets";
import { tpKey, type MemberState, type TopicPartition } from "./types";

interface Credit {
  memberId: string;
  /** Permits granted so far: the URL's plus every permit frame's. */
  granted: number;
  /** Records sent so far. Invariant: sent <= granted. */
  sent: number;
  lastSeenMs: number;
}

const SUBPROTOCOL = "runnel.v1";

export class WsDelivery {
  /** The live pump of each (member, partition), by token; a seek starts a new one and the old one stops. */
  private readonly pumps = new Map<string, number>();
  private nextToken = 0;

  constructor(private readonly group: GroupCoordinator) {
    // Woken from hibernation: start delivering again where credit allows.
    queueMicrotask(() => {
      for (const ws of this.group.state.getWebSockets()) this.kick(credit(ws).memberId);
    });
  }

  /** Upgrades `GET /ws/v1/consumer/{group}?topics=…` to a subscriber socket that joins the group. */
  async accept(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return errorResponse(426, "this endpoint needs a WebSocket upgrade");
    const url = new URL(request.url);
    const groupId = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    const topics = (url.searchParams.get("topics") ?? "").split(",").filter((t) => t.length > 0);
    if (topics.length === 0) return errorResponse(400, "topics is required: a comma-separated list of topic names");
    const reset = url.searchParams.get("auto_offset_reset") ?? "latest";
    if (reset !== "earliest" && reset !== "latest") return errorResponse(400, "auto_offset_reset must be earliest or latest");
    const permits = intOr(url.searchParams.get("permits"), 0);
    const sessionTimeoutMs = intOr(url.searchParams.get("session_timeout_ms"), limits.sessionTimeoutMsDefault);
    if (permits === null || permits > limits.wsPermitsMax) return errorResponse(400, `permits must be an integer from 0 to ${limits.wsPermitsMax}`);
    if (sessionTimeoutMs === null || sessionTimeoutMs < limits.sessionTimeoutMsMin || sessionTimeoutMs > limits.sessionTimeoutMsMax) {
      return errorResponse(400, `session_timeout_ms must be from ${limits.sessionTimeoutMsMin} to ${limits.sessionTimeoutMsMax}`);
    }
    let format: RecordFormat;
    try {
      format = parseFormat(url.searchParams.get("format") ?? undefined);
    } catch (e) {
      return errorResponse(400, (e as Error).message);
    }
    const created = await this.group.createMember(groupId, { config: { format, autoOffsetReset: reset, autoCommit: false, sessionTimeoutMs } }, "ws");
    if (!created.ok) return errorResponse(created.error_code, created.message);
    const member = this.group.members.get(created.memberId)!;
    member.subscription = { topics };
    this.group.saveMember(member);
    const pair = new WebSocketPair();
    const server = pair[1];
    this.group.state.acceptWebSocket(server, [created.memberId]);
    server.serializeAttachment({ memberId: created.memberId, granted: permits, sent: 0, lastSeenMs: Date.now() } satisfies Credit);
    this.group.state.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    await this.group.rebalance();
    const wantsProtocol = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).includes(SUBPROTOCOL);
    return new Response(null, { status: 101, webSocket: pair[0], headers: wantsProtocol ? { "sec-websocket-protocol": SUBPROTOCOL } : {} });
  }

  /** A frame from a subscriber: permit, commit, seek or pong; anything else gets an error frame. */
  async message(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const c = credit(ws);
    c.lastSeenMs = Date.now();
    ws.serializeAttachment(c);
    const m = this.group.members.get(c.memberId);
    if (m === undefined) {
      ws.close(4404, "not a member any more");
      return;
    }
    m.lastSeenMs = c.lastSeenMs;
    if (typeof raw !== "string" || raw.length > limits.wsClientFrameBytesMax) {
      sendError(ws, 400, `frames must be JSON text of at most ${limits.wsClientFrameBytesMax} bytes`);
      return;
    }
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(raw) as Record<string, unknown>;
      if (typeof frame !== "object" || frame === null || Array.isArray(frame)) throw new Error("not an object");
    } catch {
      return sendError(ws, 400, "malformed frame: expected a JSON object with a type");
    }
    if (frame.type === "permit") return this.permit(ws, c, frame.records);
    if (frame.type === "commit") return this.commit(ws, m, frame);
    if (frame.type === "seek") return this.seek(ws, m, frame);
    if (frame.type === "pong" || frame.type === "ping") return;
    sendError(ws, 400, `unknown frame type '${String(frame.type)}'`);
  }

  private permit(ws: WebSocket, c: Credit, records: unknown): void {
    const problem =
      typeof records !== "number" || !Number.isInteger(records) || records < 1
        ? "permit needs records: a positive integer"
        : c.granted - c.sent + records > limits.wsPermitsMax
          ? `at most ${limits.wsPermitsMax} records may be permitted and not yet received`
          : null;
    if (problem !== null) {
      sendError(ws, 400, problem);
      return;
    }
    c.granted += records as number;
    ws.serializeAttachment(c);
    this.kick(c.memberId);
  }

  private async commit(ws: WebSocket, m: MemberState, frame: Record<string, unknown>): Promise<void> {
    const offsets = parseOffsets(frame.offsets);
    if (offsets === null) return sendError(ws, 400, "commit needs offsets: [{topic, partition, offset}]");
    const result = await this.group.commit(m.memberId, offsets);
    if (!result.ok) return sendError(ws, result.error_code, result.message, frame.id);
    ws.send(JSON.stringify({ type: "ack", id: frame.id ?? null }));
  }

  private async seek(ws: WebSocket, m: MemberState, frame: Record<string, unknown>): Promise<void> {
    const { topic, partition, offset, timestamp } = frame;
    const target = typeof offset === "number" ? { offset } : typeof timestamp === "number" ? { timestamp } : null;
    if (typeof topic !== "string" || typeof partition !== "number" || target === null) {
      return sendError(ws, 400, "seek needs topic, partition and offset or timestamp");
    }
    const result = await this.group.seek(m.memberId, [{ topic, partition, ...target }]);
    if (!result.ok) sendError(ws, result.error_code, result.message);
  }

  /** A socket closed: its member leaves the group at once. */
  async closed(ws: WebSocket): Promise<void> {
    const { memberId } = credit(ws);
    if (this.group.members.has(memberId)) await this.group.removeMember(memberId);
  }

  /** After a rebalance: every subscriber hears its partitions and where delivery starts, then delivery goes on. */
  async rebalanced(): Promise<void> {
    for (const ws of this.group.state.getWebSockets()) {
      const m = this.group.members.get(credit(ws).memberId);
      if (m === undefined) {
        ws.close(4404, "not a member any more");
        continue;
      }
      const mine = owned(m);
      await this.group.resolvePositions(m, mine.filter((tp) => m.positions[tpKey(tp)] === undefined));
      this.group.saveMember(m);
      const partitions = mine.map((tp) => ({ ...tp, offset: m.positions[tpKey(tp)] ?? null }));
      ws.send(JSON.stringify({ type: "assignment", generation: this.group.generation, partitions }));
      this.kick(m.memberId);
    }
  }

  /** Records arrived in a watched partition: start pumps for the subscribers that own it. */
  arrived(tp: TopicPartition): void {
    const key = tpKey(tp);
    for (const m of this.group.members.values()) {
      if (m.kind === "ws" && owned(m).some((o) => tpKey(o) === key)) this.kick(m.memberId);
    }
  }

  /** Starts pumps wherever a subscriber has credit and none runs. */
  kickAll(): void {
    for (const ws of this.group.state.getWebSockets()) this.kick(credit(ws).memberId);
  }

  /** A seek moved positions: fresh pumps start there at once; parked ones stop when they wake. */
  repositioned(m: MemberState): void {
    this.kick(m.memberId, true);
  }

  /** The last sign of life from a subscriber: a frame, or a ping the runtime answered. */
  lastSeenMs(memberId: string, fallbackMs: number): number {
    const ws = this.socketOf(memberId);
    if (ws === null) return fallbackMs;
    const auto = this.group.state.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(credit(ws).lastSeenMs, auto);
  }

  /** Closes a member's socket (session timed out). */
  drop(memberId: string, code: number, reason: string): void {
    this.socketOf(memberId)?.close(code, reason);
  }

  /** Asks every subscriber for a sign of life. */
  ping(): void {
    for (const ws of this.group.state.getWebSockets()) {
      try {
        ws.send('{"type":"ping"}');
      } catch {
        // closing already
      }
    }
  }

  private groupId(): string {
    return this.group.groupIdOf();
  }

  private socketOf(memberId: string): WebSocket | null {
    return this.group.state.getWebSockets(memberId)[0] ?? null;
  }

  /** Starts a pump for each owned partition that has none (or a new one for each, when `restart`), if the socket has credit. */
  private kick(memberId: string, restart = false): void {
    const m = this.group.members.get(memberId);
    const ws = this.socketOf(memberId);
    if (m === undefined || ws === null) return;
    const c = credit(ws);
    if (c.granted <= c.sent) return;
    for (const tp of owned(m)) {
      const key = `${memberId}\u0001${tpKey(tp)}`;
      if (this.pumps.has(key) && !restart) continue;
      const token = ++this.nextToken;
      this.pumps.set(key, token);
      void this.pump(memberId, tp, () => this.pumps.get(key) === token).finally(() => {
        if (this.pumps.get(key) === token) this.pumps.delete(key);
        // Stored when a pump stops (out of credit, say), not per frame: a socket with no reads pending may hibernate.
        const member = this.group.members.get(memberId);
        if (member !== undefined) this.group.saveMember(member);
      });
    }
  }

  /** Delivers one partition to one subscriber while it owns it, has credit, and `live()` holds. */
  private async pump(memberId: string, tp: TopicPartition, live: () => boolean): Promise<void> {
    const key = tpKey(tp);
    for (;;) {
      if (!live()) return;
      const ws = this.socketOf(memberId);
      const m = this.group.members.get(memberId);
      if (ws === null || m === undefined || !owned(m).some((o) => tpKey(o) === key)) return;
      if (credit(ws).granted <= credit(ws).sent) return;
      const from = m.positions[key];
      if (from === undefined) {
        if ((await this.group.resolvePositions(m, [tp])) !== null) return void (await sleep(500));
        continue;
      }
      const meta = await topicMeta(this.group.bindings, tp.topic).catch(() => null);
      if (meta === null) return;
      const read = await callLeader<FetchOk>(this.group.bindings, meta, tp.partition, (leader) =>
        leader.stub.read({ topicId: meta.topicId, offset: from, maxBytes: limits.wsFrameBytesMax, timeoutMs: limits.wsQuietWaitMs }),
      ).catch(() => null);
      if (read === null || !read.ok) {
        if (read?.error_code === ErrorCode.OFFSET_OUT_OF_RANGE) await this.group.resolvePositions(m, [tp], true);
        else await sleep(500);
        continue;
      }
      const socketNow = this.socketOf(memberId);
      const allowed = socketNow === null ? 0 : credit(socketNow).granted - credit(socketNow).sent;
      if (allowed <= 0) return;
      const rendered = await renderBatches(read.batches, from, allowed, tp.topic, tp.partition, m.config.format);
      if (rendered.count === 0) {
        // Quiet for a while: ask to be told, and stop (unless something arrived meanwhile).
        const watch = await callLeader<{ ok: true; ready: boolean }>(this.group.bindings, meta, tp.partition, (leader) =>
          leader.stub.watch(meta.topicId, this.groupId(), from),
        ).catch(() => null);
        if (watch?.ok && watch.ready) continue;
        return;
      }
      // Things may have moved while reading: this pump replaced, ownership, position (a seek), credit.
      if (!live()) return;
      const now = this.group.members.get(memberId);
      const socket = this.socketOf(memberId);
      if (now === undefined || socket === null || now.positions[key] !== from || !owned(now).some((o) => tpKey(o) === key)) continue;
      const c = credit(socket);
      if (c.granted - c.sent < rendered.count) continue; // another partition's pump used the credit meanwhile: render again
      const next = rendered.nextOffset;
      socket.send(`{"type":"records","topic":${JSON.stringify(tp.topic)},"partition":${tp.partition},"records":[${rendered.json}],"next_offset":${next},"high_watermark":${read.highWatermark}}`);
      c.sent += rendered.count;
      socket.serializeAttachment(c);
      now.positions[key] = next; // stored when the pump stops; commits are stored apart
    }
  }
}

function credit(ws: WebSocket): Credit {
  return ws.deserializeAttachment() as Credit;
}

function sendError(ws: WebSocket, errorCode: number, message: string, id?: unknown): void {
  ws.send(JSON.stringify({ type: "error", error_code: errorCode, message, ...(id === undefined ? {} : { id }) }));
}

function errorResponse(errorCode: number, message: string): Response {
  return Response.json({ error_code: errorCode, message }, { status: httpStatusOf(errorCode) });
}

function intOr(value: string | null, fallback: number): number | null {
  if (value === null || value === "") return fallback;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
