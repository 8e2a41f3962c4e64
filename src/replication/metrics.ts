/**
 * What one partition replica counts for `GET /metrics`: records and bytes
 * appended as leader (in) and read by consumers of any kind — fetch,
 * consumer instances, WebSocket and SSE delivery, the Kafka front door —
 * (out). Replication between replicas is not counted. Kept in the
 * replica's `meta` table (key `counters`), written on a short schedule
 * and before every scrape (see metrics/counter-set.ts), so the counters
 * survive restarts and never go down.
 */
import type { CleanerView } from "../cleaner/cleaner";
import { readBatchHeader } from "../record/record-batch";
import { CounterSet } from "../metrics/counter-set";
import type { PartitionLog } from "../log/partition-log";
import type { Positions } from "./types";

/** The counters' names. */
export interface PartitionCounts {
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  bytesOut: number;
  /** Failed steps of copying segments to the bucket (each is retried). */
  remoteUploadFailures: number;
  /** Log cleaner passes ended, and records they removed. */
  cleanerPasses: number;
  cleanerRecordsRemoved: number;
  /** Remote segments the log cleaner wrote anew (as leader), and its steps whose bucket call failed (each retried). */
  cleanerRemoteRewrites: number;
  cleanerRemoteFailures: number;
}

/** A replica's answer to a scrape. */
export interface PartitionMetricsOk extends Positions, PartitionCounts {
  ok: true;
  brokerId: number;
  isLeader: boolean;
  leaderEpoch: number;
  /** Bytes of record batches stored (this replica's copy). */
  sizeBytes: number;
  segmentsCount: number;
  /** Tiered storage (src/tiered/): bytes held locally and in the bucket, remote segments, closed segments not yet copied. */
  localSizeBytes: number;
  remoteSizeBytes: number;
  remoteSegments: number;
  segmentsAwaitingUpload: number;
  /** The log cleaner's state (compacted topics), else null. */
  cleaner: CleanerView | null;
}

export class PartitionCounters {
  private readonly counters: CounterSet;

  constructor(log: PartitionLog) {
    this.counters = new CounterSet(log.meta.get("counters"), (json) => log.setMeta("counters", json), "PartitionReplica");
  }

  /** `records` records in `batches` were appended as leader. */
  appended(records: number, batches: Uint8Array[]): void {
    this.counters.add("recordsIn", records);
    this.counters.add("bytesIn", totalBytes(batches));
  }

  /**
   * `batches` were read for a consumer asking from `offset` (records before
   * it in the first batch are not counted; of a cleaned batch, which may
   * hold fewer records than its offsets span, at most its record count).
   */
  served(offset: number, batches: Uint8Array[]): void {
    let records = 0;
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      records += Math.min(h.recordCount, h.baseOffset + h.lastOffsetDelta - Math.max(h.baseOffset, offset) + 1);
    }
    this.counters.add("recordsOut", records);
    this.counters.add("bytesOut", totalBytes(batches));
  }

  /** A step of copying a segment to the bucket failed (it is retried). */
  remoteUploadFailed(): void {
    this.counters.add("remoteUploadFailures", 1);
  }

  /** A cleaner pass ended, having removed `stats.recordsRemoved` records. */
  cleaned(stats: { recordsRemoved: number }): void {
    this.counters.add("cleanerPasses", 1);
    this.counters.add("cleanerRecordsRemoved", stats.recordsRemoved);
  }

  /** The log cleaner recorded a remote segment written anew. */
  cleanerRemoteRewritten(): void {
    this.counters.add("cleanerRemoteRewrites", 1);
  }

  /** A step of the log cleaner failed at the bucket (it is retried). */
  cleanerRemoteFailed(): void {
    this.counters.add("cleanerRemoteFailures", 1);
  }

  /** The counters, stored first. */
  snapshot(): PartitionCounts {
    const c = this.counters.flushed();
    return {
      recordsIn: c.recordsIn ?? 0, bytesIn: c.bytesIn ?? 0, recordsOut: c.recordsOut ?? 0, bytesOut: c.bytesOut ?? 0,
      cleanerPasses: c.cleanerPasses ?? 0, cleanerRecordsRemoved: c.cleanerRecordsRemoved ?? 0, remoteUploadFailures: c.remoteUploadFailures ?? 0,
      cleanerRemoteRewrites: c.cleanerRemoteRewrites ?? 0, cleanerRemoteFailures: c.cleanerRemoteFailures ?? 0,
    };
  }

  /** This memory is over: see CounterSet.stop. */
  stop(): void {
    this.counters.stop();
  }
}

function totalBytes(batches: Uint8Array[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}
