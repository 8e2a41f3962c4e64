/**
 * WebSocket subscribers of a group. Sockets use the Hibernation API, and
 * "ping" text frames are answered by the runtime without waking the
 * object. Each socket's credit (permits granted, records sent) lives in
 * its attachment, so it survives hibernation and rebalances: the server
 * never sends more records than granted. Delivery itself — one pump per
 * owned partition — is in ws-pump.ts. Delivery sees the group only
 * through `DeliveryHost`: what it needs, and nothing of the coordinator's
 * insides.
 */
import { ClientFrame } from "../../consumer/consumer-bodies";
import type { Env } from "../../env";
import type { Failure } from "../../errors";
import { checkInput } from "../../input";
import { limits } from "../../limits";
import { owned, owns, positionOf, unresolved } from "../positions";
import type { MemberConfig, MemberState, Ok, OffsetChange, SeekTarget, TopicPartition } from "../types";
import { ANONYMOUS, badRequest, credit, errorResponse, offeredProtocols, PRINCIPAL_HEADER, sendError, SUBPROTOCOL, subscribeParams, type Credit } from "./ws-socket";
import { Pumps } from "./ws-pump";

/** What WebSocket delivery needs of its group. */
export interface DeliveryHost {
  /** The Worker's bindings: delivery reads partitions from their leaders. */
  readonly env: Env;
  /** The object's state: the subscribers' sockets live there. */
  readonly ctx: DurableObjectState;
  groupId(): string;
  generation(): number;
  member(memberId: string): MemberState | undefined;
  members(): MemberState[];
  /** Adds subscriber `memberId` (acting as `principal`) subscribed to `topics`, with the rebalance that causes. */
  join(groupId: string, config: MemberConfig, topics: string[], memberId: string, principal: string): Promise<{ ok: true; memberId: string } | Failure>;
  /** Removes a member, with the rebalance that causes. */
  leave(memberId: string): Promise<Ok | Failure>;
  /** Commits offsets (each the next offset to read) for a member as `principal`, by the commit rules of the HTTP API. */
  commit(memberId: string, offsets: OffsetChange[], principal: string): Promise<Ok | Failure>;
  /** Moves a member's positions (seek) as `principal`. */
  seek(memberId: string, targets: (TopicPartition & SeekTarget)[], principal: string): Promise<Ok | Failure>;
  /** Resolves positions: committed offset, else auto.offset.reset (always the latter with `reset`). */
  resolve(m: MemberState, partitions: TopicPartition[], reset?: boolean): Promise<Failure | null>;
  /** Stores a member's changed state. */
  save(m: MemberState): void;
  /** Counts records sent to a subscriber (GET /metrics). */
  delivered(tp: TopicPartition, records: number): void;
}

export class WsDelivery {
  private readonly pumps: Pumps;
  /** Subscribers whose upgrade is joining the group: members whose socket is not accepted yet (not "socketless"). */
  private readonly joiningNow = new Set<string>();

  constructor(private readonly host: DeliveryHost) {
    this.pumps = new Pumps(host);
    // Woken from hibernation: start delivering again where credit allows.
    queueMicrotask(() => this.kickAll());
  }

  /**
   * Upgrades `GET /ws/v1/consumer/{group}?topics=…` to a subscriber
   * socket that joins the group (gathered with other joins arriving
   * together: see change-batcher.ts). An upgrade that offers subprotocols
   * must offer `runnel.v1` (400 otherwise); one that offers none is served.
   */
  async accept(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return errorResponse({ error_code: 426, message: "this endpoint needs a WebSocket upgrade" });
    const offered = offeredProtocols(request);
    if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
      return errorResponse(badRequest(`this endpoint speaks the WebSocket subprotocol '${SUBPROTOCOL}', which the upgrade does not offer`));
    }
    const params = subscribeParams(new URL(request.url));
    if (typeof params === "string") return errorResponse(badRequest(params));
    const config = { format: params.format, autoOffsetReset: params.autoOffsetReset, autoCommit: false, sessionTimeoutMs: params.sessionTimeoutMs };
    const principal = request.headers.get(PRINCIPAL_HEADER) ?? ANONYMOUS;
    const memberId = `ws-${crypto.randomUUID()}`;
    this.joiningNow.add(memberId);
    try {
      const joined = await this.host.join(params.groupId, config, params.topics, memberId, principal);
      if (!joined.ok) return errorResponse(joined);
      const pair = new WebSocketPair();
      const server = pair[1];
      this.host.ctx.acceptWebSocket(server, [memberId]);
      server.serializeAttachment({ memberId, principal, granted: params.permits, sent: 0, lastSeenMs: Date.now() } satisfies Credit);
      this.host.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
      await this.announce(server);
      return new Response(null, { status: 101, webSocket: pair[0], headers: offered.length > 0 ? { "sec-websocket-protocol": SUBPROTOCOL } : {} });
    } finally {
      this.joiningNow.delete(memberId);
    }
  }

  /** Whether `memberId` is a subscriber still joining (its socket not accepted yet). */
  joining(memberId: string): boolean {
    return this.joiningNow.has(memberId);
  }

  /** A frame from a subscriber: permit, commit, seek or pong; anything else gets an error frame. */
  async message(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const c = credit(ws);
    c.lastSeenMs = Date.now();
    ws.serializeAttachment(c);
    const m = this.host.member(c.memberId);
    if (m === undefined) return ws.close(4404, "not a member any more");
    m.lastSeenMs = c.lastSeenMs;
    if (typeof raw !== "string" || raw.length > limits.wsClientFrameBytesMax) {
      return sendError(ws, badRequest(`frames must be JSON text of at most ${limits.wsClientFrameBytesMax} bytes`));
    }
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(raw) as Record<string, unknown>;
      if (typeof frame !== "object" || frame === null || Array.isArray(frame)) throw new Error("not an object");
    } catch {
      return sendError(ws, badRequest("malformed frame: expected a JSON object with a type"));
    }
    const checked = checkInput(ClientFrame, frame);
    if (!checked.ok) return sendError(ws, badRequest(checked.message));
    const f = checked.value;
    if (f.type === "permit") return this.permit(ws, c, f.records);
    if (f.type === "commit") return this.commit(ws, c, f.offsets, f.id);
    if (f.type === "seek") return this.seek(ws, c, f.target);
  }

  private permit(ws: WebSocket, c: Credit, records: number): void {
    if (c.granted - c.sent + records > limits.wsPermitsMax) {
      sendError(ws, badRequest(`at most ${limits.wsPermitsMax} records may be permitted and not yet received`));
      return;
    }
    c.granted += records;
    ws.serializeAttachment(c);
    this.pumps.kick(c.memberId);
  }

  private async commit(ws: WebSocket, c: Credit, offsets: OffsetChange[], id: unknown): Promise<void> {
    const result = await this.host.commit(c.memberId, offsets, c.principal);
    if (!result.ok) return sendError(ws, result, id);
    ws.send(JSON.stringify({ type: "ack", id: id ?? null }));
  }

  private async seek(ws: WebSocket, c: Credit, target: TopicPartition & SeekTarget): Promise<void> {
    const result = await this.host.seek(c.memberId, [target], c.principal);
    if (!result.ok) sendError(ws, result);
  }

  /**
   * A socket closed: its member leaves the group at once. If the group
   * cannot rebalance now, the member stays until the alarm finds it
   * without a socket and tries again.
   */
  async closed(ws: WebSocket): Promise<void> {
    const { memberId } = credit(ws);
    if (this.host.member(memberId) !== undefined) await this.host.leave(memberId);
  }

  /** After a rebalance: every subscriber hears its partitions and where delivery starts, then delivery goes on. */
  async rebalanced(): Promise<void> {
    for (const ws of this.host.ctx.getWebSockets()) await this.announce(ws);
  }

  /** Tells one subscriber its partitions (resolving positions it lacks), and starts its pumps. */
  private async announce(ws: WebSocket): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) return; // closing: its close handler removes the member
    const m = this.host.member(credit(ws).memberId);
    if (m === undefined) return ws.close(4404, "not a member any more");
    // A partition that cannot be resolved now shows offset null; its pump tries again.
    for (const tp of unresolved(m)) await this.host.resolve(m, [tp]);
    this.host.save(m);
    if (ws.readyState !== WebSocket.OPEN) return;
    const partitions = owned(m).map((tp) => ({ ...tp, offset: positionOf(m, tp)?.offset ?? null }));
    ws.send(JSON.stringify({ type: "assignment", generation: this.host.generation(), partitions }));
    this.pumps.kick(m.memberId);
  }

  /** Records arrived in a watched partition: start pumps for the subscribers that own it. */
  arrived(tp: TopicPartition): void {
    for (const m of this.host.members()) if (m.kind === "ws" && owns(m, tp)) this.pumps.kick(m.memberId);
  }

  /** Starts pumps wherever a subscriber has credit and none runs. */
  kickAll(): void {
    for (const ws of this.host.ctx.getWebSockets()) this.pumps.kick(credit(ws).memberId);
  }

  /** A seek moved positions: fresh pumps start there at once; parked ones stop when they wake. */
  repositioned(m: MemberState): void {
    this.pumps.kick(m.memberId, true);
  }

  /** Whether no pump runs (every subscriber is idle, waiting for credit or records). */
  idle(): boolean {
    return this.pumps.running() === 0;
  }

  /** The last sign of life from a subscriber (a frame, or a ping the runtime answered); null without a socket. */
  lastSeenMs(memberId: string): number | null {
    const ws = this.host.ctx.getWebSockets(memberId)[0];
    if (ws === undefined) return null;
    const auto = this.host.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(credit(ws).lastSeenMs, auto);
  }

  /** Closes a member's socket (session timed out). */
  drop(memberId: string, code: number, reason: string): void {
    const ws = this.host.ctx.getWebSockets(memberId)[0];
    if (ws?.readyState === WebSocket.OPEN) ws.close(code, reason);
  }

  /** Asks every subscriber for a sign of life. */
  ping(): void {
    // A socket closing already is skipped: its close handler removes the member.
    for (const ws of this.host.ctx.getWebSockets()) if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
  }
}
