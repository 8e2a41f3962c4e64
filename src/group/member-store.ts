/**
 * A group's members (HTTP consumer instances and WebSocket subscribers):
 * kept in memory, each stored whole as JSON in the `members` table.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import type { MemberState, Position } from "./types";

export class MemberStore {
  private readonly members = new Map<string, MemberState>();

  /** Loads every stored member. */
  constructor(private readonly sql: SqlStorage) {
    for (const row of sql.exec<{ state: string }>("SELECT state FROM members").toArray()) {
      const m = upgrade(JSON.parse(row.state) as MemberState);
      this.members.set(m.memberId, m);
    }
  }

  get(memberId: string): MemberState | undefined {
    return this.members.get(memberId);
  }

  /** The member, counting the call as a heartbeat; 40403 when there is none. */
  touch(memberId: string): MemberState | Failure {
    const m = this.members.get(memberId);
    if (m === undefined) return noMember(memberId);
    m.lastSeenMs = Date.now();
    return m;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get size(): number {
    return this.members.size;
  }

  /** Every member, in joining order. */
  all(): MemberState[] {
    return [...this.members.values()];
  }

  /** Stores a member (new or changed). */
  save(m: MemberState): void {
    this.members.set(m.memberId, m);
    this.sql.exec("INSERT OR REPLACE INTO members (member_id, state) VALUES (?, ?)", m.memberId, JSON.stringify(m));
  }

  /** Forgets a member. */
  delete(memberId: string): void {
    this.members.delete(memberId);
    this.sql.exec("DELETE FROM members WHERE member_id = ?", memberId);
  }
}

/**
 * A member stored before positions carried topic ids: its positions match
 * any id (""). One stored before members kept a principal acts as the
 * principal of requests served open.
 */
function upgrade(m: MemberState): MemberState {
  m.principal ??= "User:ANONYMOUS";
  for (const [k, p] of Object.entries(m.positions as Record<string, Position | number>)) {
    if (typeof p === "number") m.positions[k] = { offset: p, topicId: "" };
  }
  return m;
}

/** 40403: no such member (it may have timed out). */
export function noMember(memberId: string): Failure {
  return failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `consumer instance '${memberId}' not found (it may have timed out)`);
}
