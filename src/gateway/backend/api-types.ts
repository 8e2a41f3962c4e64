/** What the calls of `RunnelApi` (runnel-api.ts) take and answer. */

/** A group as the v3 list shows it. */
export interface ListedGroup {
  groupId: string;
  /** CLASSIC or CONSUMER. */
  type: string;
  /** Confluent's spelling: STABLE, EMPTY, PREPARING_REBALANCE, COMPLETING_REBALANCE, ASSIGNING, RECONCILING. */
  state: string;
}

export interface TopicSummary {
  name: string;
  /** Kafka's form of the topic's id (22 characters of URL-safe base64; fresh on every creation), or Kafka's zero id when the Worker gave none. */
  topicId: string;
  partitionsCount: number;
  replicationFactor: number;
}

/** Kafka's "no topic id". */
export const ZERO_TOPIC_ID = "AAAAAAAAAAAAAAAAAAAAAA";

export interface CreateTopic {
  name: string;
  partitionsCount: number;
  replicationFactor: number;
  configs: { name: string; value: string }[];
}

export interface Appended {
  baseOffset: number;
  lastOffset: number;
  /** Epoch ms the log stamped under LogAppendTime, else -1. */
  logAppendTimeMs: number;
  /** The partition's log start offset when answered; -1 when not known. */
  logStartOffset: number;
}

export interface FetchedBatches {
  /** Whole stored batches, concatenated, as the Worker sent them. */
  bytes: Buffer;
  highWatermark: number;
  logStartOffset: number;
  nextOffset: number;
}
