/**
 * Consumer positions: where each member reads each partition it owns
 * next. A position is resolved from the group's committed offset, else by
 * the member's auto.offset.reset; it is kept across a rebalance while the
 * member keeps the partition (and the topic keeps its id), moved past
 * records returned, and committed on request.
 */
import type { Env } from "../env";
import { isFailure, type Failure } from "../errors";
import { topicOf } from "./lookups";
import type { OffsetStore } from "./offset-store";
import { offsetIn } from "./seek";
import { tpKey, type MemberState, type OffsetWrite, type Position, type PositionMove, type TopicIndex, type TopicPartition } from "./types";

/** The partitions a member owns now: by hand, or by the group. */
export function owned(m: MemberState): TopicPartition[] {
  return m.manual ?? m.assignment;
}

/** Whether `m` owns `tp` now. */
export function owns(m: MemberState, tp: TopicPartition): boolean {
  const key = tpKey(tp);
  return owned(m).some((o) => tpKey(o) === key);
}

/** The member's position in `tp`, or undefined until resolved. */
export function positionOf(m: MemberState, tp: TopicPartition): Position | undefined {
  return m.positions[tpKey(tp)];
}

/** Sets the member's position in `tp`; a new position lifts a wait at an unrenderable record. */
export function setPosition(m: MemberState, tp: TopicPartition, position: Position): void {
  const key = tpKey(tp);
  m.positions[key] = position;
  if (m.blocked?.[key] !== undefined && m.blocked[key] !== position.offset) delete m.blocked[key];
}

/** The owned partitions of `m` that have no position yet. */
export function unresolved(m: MemberState): TopicPartition[] {
  return owned(m).filter((tp) => m.positions[tpKey(tp)] === undefined);
}

/**
 * Fills in positions for `partitions`: the committed offset (of the
 * topic's current id), else by auto.offset.reset — always the latter when
 * `reset` (the position fell out of range), unless the position was taken
 * in a topic since deleted and created again. Stops at the first
 * partition that cannot be resolved and returns why (40401, 40402, 40404, 50003).
 */
export async function resolvePositions(env: Env, offsets: OffsetStore, m: MemberState, partitions: TopicPartition[], reset = false): Promise<Failure | null> {
  for (const tp of partitions) {
    const meta = await topicOf(env, tp.topic);
    if (isFailure(meta)) return meta;
    const takenIn = positionOf(m, tp)?.topicId ?? "";
    const committed = reset && (takenIn === "" || takenIn === meta.topicId) ? null : offsets.get(tp, meta.topicId);
    const offset = committed?.offset ?? (await offsetIn(env, meta, tp.partition, { to: m.config.autoOffsetReset }));
    if (typeof offset !== "number") return offset;
    setPosition(m, tp, { offset, topicId: meta.topicId });
  }
  return null;
}

/**
 * After a rebalance: keeps the positions of partitions the member still
 * owns whose topic still has the same id (`topics`: every topic now).
 */
export function keepPositions(m: MemberState, topics: TopicIndex): void {
  const kept: Record<string, Position> = {};
  for (const tp of owned(m)) {
    const k = tpKey(tp);
    const p = m.positions[k];
    const id = topics.get(tp.topic)?.topicId;
    if (p !== undefined && id !== undefined && (p.topicId === "" || p.topicId === id)) kept[k] = p;
  }
  m.positions = kept;
  if (m.blocked !== undefined) {
    for (const k of Object.keys(m.blocked)) if (kept[k] === undefined) delete m.blocked[k];
  }
}

/**
 * Moves positions past records returned to the member. A move counts only
 * where the member still owns the partition and has not moved meanwhile
 * (a seek, say); returns the partitions whose move counted.
 */
export function advancePositions(m: MemberState, moves: PositionMove[]): TopicPartition[] {
  const accepted: TopicPartition[] = [];
  for (const mv of moves) {
    const p = positionOf(m, mv);
    if (p === undefined || p.offset !== mv.from || !owns(m, mv)) continue;
    setPosition(m, mv, { offset: mv.next, topicId: p.topicId });
    accepted.push({ topic: mv.topic, partition: mv.partition });
  }
  return accepted;
}

/** The member's positions (what it was given so far) in the partitions it owns, as offsets to commit. */
export function positionsToCommit(m: MemberState): OffsetWrite[] {
  return owned(m).flatMap((tp) => {
    const p = positionOf(m, tp);
    return p === undefined ? [] : [{ ...tp, offset: p.offset, topicId: p.topicId }];
  });
}
