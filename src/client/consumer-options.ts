/** What a consumer is told when it is made (`runnel.consumer(options)`); docs/client.md explains each. */
import type { TopicPartitionOffset } from "./consumer-state";
import type { RunnelError } from "./errors";
import type { Format } from "./serde";

export interface ConsumerOptions {
  group: string;
  topics: string[];
  /** How keys and values are shown: "string" (default), "json" or "binary" (Uint8Array). */
  format?: Format;
  /** Where a partition without a committed offset starts (default "latest", as Kafka). */
  autoOffsetReset?: "earliest" | "latest";
  /** Commit consumed positions every `autoCommitIntervalMs` (default true, every 5,000 ms) and on close. */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  /** Credit: the most records buffered or in flight at once (default 10,000). */
  maxBufferedRecords?: number;
  /** The group drops a silent member after this long (server default 45,000 ms). */
  sessionTimeoutMs?: number;
  /** Called after a rebalance with the partitions taken away (also when the socket drops) and those given (with where delivery starts). */
  onRevoke?: (partitions: TopicPartitionOffset[]) => void | Promise<void>;
  onAssign?: (partitions: TopicPartitionOffset[]) => void | Promise<void>;
  /** Failures in the background (auto-commit, reconnects). Default: thrown from the next `next()`; a stale-member commit (40904) is ignored. */
  onError?: (e: RunnelError) => void;
  /** Wait between reconnects: from `reconnectBackoffMs` (default 250) doubling to `reconnectBackoffMaxMs` (default 10,000). */
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
}
