/**
 * Delivery to WebSocket subscribers: one pump per (subscriber, owned
 * partition) reads the partition from its leader and sends what the
 * socket's credit allows; with no credit nothing is read, so a slow
 * subscriber never makes the server buffer. A pump long-polls briefly
 * (cheap while records keep coming); after a quiet spell it leaves a
 * watch on the partition and ends, and the partition tells the
 * coordinator when records arrive. So an idle subscriber holds no read
 * open, and the object can hibernate.
 *
 * A record the subscriber's format cannot show (not JSON under
 * format=json) gets one error frame (42206, naming the topic, partition
 * and offset); that partition then waits at that offset until the
 * subscriber seeks elsewhere, while its other partitions keep flowing.
 */
import { ErrorCode, failure, type Failure } from "../../errors";
import { limits } from "../../limits";
import { callLeader } from "../../metadata/leaders";
import { logBug } from "../../rpc/boundary";
import { settle } from "../../rpc/call";
import { readDenied, topicReadability } from "../topic-access";
import { readAt, type MemberRead } from "../../fetch/partition-read";
import { owned, owns, positionOf, setPosition } from "../positions";
import { tpKey, type MemberState, type Position, type TopicPartition } from "../types";
import type { DeliveryHost } from "./ws-delivery";
import { credit, room, sendError } from "./ws-socket";

type Found = Extract<MemberRead, { kind: "records" }>;

/** Most pumps remembered as having told their subscriber of a denied topic. */
const toldDeniedMax = 10_000;

/** Pause before reading a partition again that could not be read (no leader, a leader that did not answer). */
const retryPauseMs = 500;

export class Pumps {
  /** The live pump of each (member, partition), by token; a seek starts a new one and the old one stops. */
  private readonly live = new Map<string, number>();
  private nextToken = 0;
  /** Pumps (by key) that told their subscriber it may not READ the topic: told once, until it may again. */
  private readonly toldDenied = new Set<string>();

  constructor(private readonly host: DeliveryHost) {}

  /** How many pumps run now. */
  running(): number {
    return this.live.size;
  }

  /** Starts a pump for each owned partition that has none (or a new one for each, when `restart`), if the socket has credit. */
  kick(memberId: string, restart = false): void {
    const m = this.host.member(memberId);
    const ws = this.socketOf(memberId);
    if (m === undefined || ws === null || room(ws) === 0) return;
    for (const tp of owned(m)) {
      const key = `${memberId}\u0001${tpKey(tp)}`;
      if (this.live.has(key) && !restart) continue;
      const token = ++this.nextToken;
      this.live.set(key, token);
      this.pump(memberId, tp, key, () => this.live.get(key) === token)
        .catch((e) => logBug("WsDelivery.pump", e, { group: this.host.groupId(), member: memberId, topic: tp.topic, partition: tp.partition }))
        .finally(() => {
          if (this.live.get(key) === token) this.live.delete(key);
          // Stored when a pump stops (out of credit, say), not per frame: a socket with no reads pending may hibernate.
          const member = this.host.member(memberId);
          if (member !== undefined) this.host.save(member);
        });
    }
  }

  /**
   * Delivers one partition to one subscriber while it owns it, has
   * credit, may READ its topic, and `live()` holds.
   */
  private async pump(memberId: string, tp: TopicPartition, key: string, live: () => boolean): Promise<void> {
    for (;;) {
      const ws = this.socketOf(memberId);
      const m = this.host.member(memberId);
      if (!live() || ws === null || m === undefined || !owns(m, tp) || room(ws) === 0) return;
      if (!(await this.mayRead(ws, tp, key))) return;
      const position = positionOf(m, tp);
      if (position === undefined) {
        const problem = await this.host.resolve(m, [tp]);
        if (problem !== null && !(await pausedAfter(problem))) return;
        continue;
      }
      if (m.blocked?.[tpKey(tp)] === position.offset) return; // waits at a record it cannot show, until a seek
      const read = await readAt(this.host.env, tp, position, { maxBytes: limits.wsFrameBytesMax, waitMs: limits.wsQuietWaitMs, maxRecords: room(ws), format: m.config.format });
      if (read.kind === "reposition") {
        const problem = await this.host.resolve(m, [tp], true);
        if (problem !== null && !(await pausedAfter(problem))) return;
      } else if (read.kind === "failed") {
        if (read.failure.error_code === ErrorCode.CORRUPT_MESSAGE) return this.block(m, tp, position.offset, read.failure);
        if (!(await pausedAfter(read.failure))) return;
      } else if (read.rendered.count > 0) {
        if (!live()) return;
        this.send(memberId, tp, position, read);
      } else if (read.rendered.nextOffset > position.offset && read.unrenderable === null) {
        this.skip(memberId, tp, position, read); // only batches the cleaner emptied: read on past them
      } else if (read.unrenderable !== null) {
        return this.block(m, tp, position.offset, failure(ErrorCode.INVALID_PAYLOAD, unrenderableHint(tp, position.offset), null));
      } else if (!(await this.watch(tp, position.offset, read))) {
        return; // quiet: the partition tells the group when records arrive
      }
    }
  }

  /** Sends what was read, if nothing moved meanwhile (ownership, position, credit); else the pump reads again. */
  private send(memberId: string, tp: TopicPartition, from: Position, read: Found): void {
    const m = this.host.member(memberId);
    const socket = this.socketOf(memberId);
    if (m === undefined || socket === null || positionOf(m, tp)?.offset !== from.offset || !owns(m, tp)) return;
    const c = credit(socket);
    if (c.granted - c.sent < read.rendered.count) return; // another partition's pump used the credit meanwhile: render again
    const next = read.rendered.nextOffset;
    socket.send(`{"type":"records","topic":${JSON.stringify(tp.topic)},"partition":${tp.partition},"records":[${read.rendered.json}],"next_offset":${next},"high_watermark":${read.highWatermark}}`);
    c.sent += read.rendered.count;
    socket.serializeAttachment(c);
    this.host.delivered(tp, read.rendered.count);
    setPosition(m, tp, { offset: next, topicId: read.meta.topicId }); // stored when the pump stops; commits are stored apart
  }

  /** Moves the position past batches that held no record to send, if nothing moved meanwhile. */
  private skip(memberId: string, tp: TopicPartition, from: Position, read: Found): void {
    const m = this.host.member(memberId);
    if (m === undefined || positionOf(m, tp)?.offset !== from.offset || !owns(m, tp)) return;
    setPosition(m, tp, { offset: read.rendered.nextOffset, topicId: read.meta.topicId });
  }

  /** Leaves a watch on a caught-up partition; true when records arrived meanwhile (read again). */
  private async watch(tp: TopicPartition, offset: number, read: Found): Promise<boolean> {
    const { meta } = read;
    const watch = await settle("WsPump.watch", () =>
      callLeader<{ ok: true; ready: boolean }>(this.host.env, meta, tp.partition, (leader) => leader.replica.watch(meta.topicId, this.host.groupId(), offset)),
    );
    // Without a watch (no leader now, say) the group's alarm looks again.
    return watch.ok && watch.ready;
  }

  /** Tells the subscriber once why a partition cannot go on (an error frame), and holds it at `offset` until a seek. */
  private block(m: MemberState, tp: TopicPartition, offset: number, why: Failure): void {
    m.blocked = { ...m.blocked, [tpKey(tp)]: offset };
    this.host.save(m);
    const ws = this.socketOf(m.memberId);
    if (ws !== null) sendError(ws, why);
  }

  /**
   * Whether the socket's principal may READ `tp`'s topic now; the first
   * time it may not, the subscriber gets an error frame (40301) saying so.
   */
  private async mayRead(ws: WebSocket, tp: TopicPartition, key: string): Promise<boolean> {
    const { principal } = credit(ws);
    if ((await topicReadability(this.host.env))(principal, tp.topic)) {
      this.toldDenied.delete(key);
      return true;
    }
    if (!this.toldDenied.has(key)) {
      if (this.toldDenied.size >= toldDeniedMax) this.toldDenied.clear(); // at worst a subscriber is told twice
      this.toldDenied.add(key);
      const denied = readDenied(this.host.env, principal, tp.topic, "consumer.records");
      sendError(ws, denied);
    }
    return false;
  }

  /** The member's socket while it is open (a closing one's handler removes the member). */
  private socketOf(memberId: string): WebSocket | null {
    const ws = this.host.ctx.getWebSockets(memberId)[0];
    return ws?.readyState === WebSocket.OPEN ? ws : null;
  }
}

/**
 * After a failure to read or resolve a partition: a partition that may
 * come back (no leader, no answer) is tried again after a pause (true);
 * one that is gone (topic deleted: the next rebalance drops it) is not.
 */
async function pausedAfter(f: Failure): Promise<boolean> {
  if (f.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || f.error_code === ErrorCode.UNKNOWN_PARTITION) return false;
  await new Promise((r) => setTimeout(r, retryPauseMs));
  return true;
}

/** The 42206 message for a subscriber meeting a record its format cannot show: what it can do about it. */
function unrenderableHint(tp: TopicPartition, offset: number): string {
  const seek = `{"type":"seek","topic":${JSON.stringify(tp.topic)},"partition":${tp.partition},"offset":${offset + 1}}`;
  return (
    `record at offset ${offset} of topic '${tp.topic}' partition ${tp.partition} is not JSON, so format=json cannot show it; ` +
    `this partition waits at offset ${offset} until you seek past it (${seek}), or reconnect with format=binary or format=string`
  );
}
