import type { PartitionRole } from "../replication/types";
import type { ConfigOverrides } from "./configs";

/** A topic as the controller keeps it. */
export interface TopicInfo {
  topicName: string;
  /** Fresh for every creation, so a re-created topic never meets old data. */
  topicId: string;
  partitionsCount: number;
  replicationFactor: number;
  /** Only the configs set on the topic; defaults fill the rest. */
  configs: ConfigOverrides;
  createdAtMs: number;
}

/** A topic with each partition's leader, epoch and ISR, as produce and fetch need it. */
export interface TopicMeta extends TopicInfo {
  partitions: PartitionRole[];
}

export interface CreateTopicArgs {
  topicName: unknown;
  partitionsCount: unknown;
  replicationFactor: unknown;
  configs: unknown;
}

/** One change of `configs:alter`: a value to set, or null to return to the default. */
export interface ConfigChange {
  name: string;
  value: string | null;
}
