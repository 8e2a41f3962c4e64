/**
 * How followers learn the remote segments: with replication, as Kafka's
 * followers learn them from its remote log metadata. Every replication
 * call carries a page (`RemoteSync`): the leader's log start, the offset
 * below which every in-sync replica knows the remote copies (so local
 * copies below it may go), and the rows the follower lacks with their
 * sparse indexes.
 *
 * Rows carry the seq they were recorded under. A follower says at the
 * handshake up to which seq its rows are complete and the key recorded
 * under that seq; when the leader holds the same row there, it sends
 * only rows with a later seq (incremental), else it sends all its rows in
 * offset order (a full copy), the first page telling the follower to drop
 * its rows over data it holds locally (a deposed leader's uploads among
 * them). A follower applies rows over the ones they overlap, so a
 * segment replaced (compaction) replaces its old row.
 */
import { limits } from "../limits";
import type { IndexEntry, NewRemoteSegment, RemoteLog, RemoteSegment } from "./remote-log";

/** One row as the leader sends it. */
export interface RemoteSyncRow {
  segment: NewRemoteSegment;
  seq: number;
  index: IndexEntry[];
}

/** What a replication call carries about remote segments. */
export interface RemoteSync {
  /** The leader's log start: remote rows and local segments wholly below it go. */
  logStartOffset: number;
  /** Below this every in-sync replica knows the remote copies: local copies below it may go (local retention). */
  copiedOffset: number;
  /** The first page of a full copy: drop the rows at or above the local log start first. */
  full: boolean;
  rows: RemoteSyncRow[];
  /** After this page the follower's rows are complete up to this seq; -1 while a full copy goes on. */
  syncedSeq: number;
}

/** A follower's word at the handshake: up to which seq its rows are complete (-1: they are not), and the key recorded under it. */
export interface RemoteMark {
  syncedSeq: number;
  key: string | null;
}

type FollowerState = { mode: "incremental"; seq: number } | { mode: "full"; cursor: number; untilSeq: number };

/** A replica's mark (its answer at a handshake). */
export function markOf(remote: RemoteLog): RemoteMark {
  const syncedSeq = remote.syncedSeq();
  return { syncedSeq, key: syncedSeq > 0 ? remote.keyOf(syncedSeq) : null };
}

/** The leader's side: what each follower knows, and its next page. Starts afresh in each epoch. */
export class RemoteFollowers {
  private readonly states = new Map<number, FollowerState>();

  constructor(private readonly remote: RemoteLog) {}

  /** A new epoch: nothing is known of anyone until their handshake. */
  reset(): void {
    this.states.clear();
  }

  /** Follower `brokerId` shook hands with `mark` (undefined from a replica that predates tiered storage). */
  met(brokerId: number, mark: RemoteMark | undefined): void {
    const own = this.remote.syncedSeq();
    const s = mark?.syncedSeq ?? -1;
    const same = s === 0 ? mark?.key === null && this.remote.segments().every((r) => r.seq > 0) : s > 0 && this.remote.keyOf(s) === mark?.key;
    this.states.set(brokerId, own >= 0 && same ? { mode: "incremental", seq: s } : { mode: "full", cursor: -1, untilSeq: this.remote.seq() });
  }

  /** The next page for `brokerId` (bounded: `limits.remoteSyncSegmentsMax` rows, `remoteSyncIndexEntriesMax` entries), or undefined before its handshake. */
  page(brokerId: number, logStartOffset: number, copiedOffset: number): RemoteSync | undefined {
    const st = this.states.get(brokerId);
    if (st === undefined) return undefined;
    if (st.mode === "incremental" && st.seq >= this.remote.seq()) return { logStartOffset, copiedOffset, full: false, rows: [], syncedSeq: st.seq }; // the usual case: nothing new
    const pending =
      st.mode === "incremental"
        ? this.remote.segments().filter((r) => r.seq > st.seq).sort((a, b) => a.seq - b.seq)
        : this.remote.segments().filter((r) => r.baseOffset > st.cursor);
    const rows: RemoteSyncRow[] = [];
    let entries = 0;
    for (const r of pending) {
      if (rows.length >= limits.remoteSyncSegmentsMax) break;
      const index = this.remote.index(r);
      if (rows.length > 0 && entries + index.length > limits.remoteSyncIndexEntriesMax) break;
      rows.push({ segment: withoutIds(r), seq: r.seq, index });
      entries += index.length;
    }
    const all = rows.length === pending.length;
    const syncedSeq = st.mode === "full" ? (all ? st.untilSeq : -1) : all ? this.remote.seq() : (rows[rows.length - 1]?.seq ?? st.seq);
    return { logStartOffset, copiedOffset, full: st.mode === "full" && st.cursor === -1, rows, syncedSeq };
  }

  /** `brokerId` applied `page`. */
  sent(brokerId: number, page: RemoteSync): void {
    const st = this.states.get(brokerId);
    if (st === undefined) return;
    if (st.mode === "incremental" || page.syncedSeq >= 0) this.states.set(brokerId, { mode: "incremental", seq: page.syncedSeq });
    else this.states.set(brokerId, { ...st, cursor: page.rows[page.rows.length - 1]?.segment.baseOffset ?? st.cursor });
  }

  /** Whether `brokerId` knows every remote segment (a follower may join the ISR only then). */
  synced(brokerId: number): boolean {
    const st = this.states.get(brokerId);
    return st?.mode === "incremental" && st.seq >= this.remote.seq();
  }

  /**
   * The offset below which `brokerId` knows every remote row of ours; the
   * log start's when not known (nothing may go on its account).
   */
  knownEnd(brokerId: number, logStartOffset: number): number {
    const st = this.states.get(brokerId);
    if (st === undefined) return logStartOffset;
    const known = (r: RemoteSegment) => (st.mode === "incremental" ? r.seq <= st.seq : r.baseOffset <= st.cursor);
    const rows = this.remote.segments();
    const first = rows.find((r) => !known(r));
    return first?.baseOffset ?? this.remote.endOffset() ?? logStartOffset;
  }
}

function withoutIds(r: RemoteSegment): NewRemoteSegment {
  const { id: _id, seq: _seq, ...segment } = r;
  return segment;
}
