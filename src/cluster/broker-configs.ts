/**
 * The broker configs Runnel has, under Kafka's names: every broker runs
 * with the same ones, fixed by Runnel (none can be changed at run time).
 * A topic config's default is its broker synonym's value (Kafka's
 * `log.retention.ms` for `retention.ms`, …); the rest say how the cluster
 * behaves where Kafka has a broker config for it.
 */
import { OFFSETS_TOPIC_PARTITIONS, OFFSETS_TOPIC_REPLICATION_FACTOR } from "../group/offsets-topic";
import { limits } from "../limits";
import { type ConfigName, describeConfigs } from "../topic/configs";

/** Kafka's broker config for each topic config: its default comes from there. */
const BROKER_SYNONYMS: Record<ConfigName, string> = {
  "retention.ms": "log.retention.ms",
  "retention.bytes": "log.retention.bytes",
  "segment.bytes": "log.segment.bytes",
  "segment.ms": "log.roll.ms",
  "max.message.bytes": "message.max.bytes",
  "min.insync.replicas": "min.insync.replicas",
  "cleanup.policy": "log.cleanup.policy",
  "delete.retention.ms": "log.cleaner.delete.retention.ms",
  "min.cleanable.dirty.ratio": "log.cleaner.min.cleanable.ratio",
  "min.compaction.lag.ms": "log.cleaner.min.compaction.lag.ms",
  "max.compaction.lag.ms": "log.cleaner.max.compaction.lag.ms",
  "compression.type": "compression.type",
  "message.timestamp.type": "log.message.timestamp.type",
  "unclean.leader.election.enable": "unclean.leader.election.enable",
  "replica.lag.time.max.ms": "replica.lag.time.max.ms",
  "remote.storage.enable": "remote.log.storage.system.enable",
  "local.retention.bytes": "log.local.retention.bytes",
  "local.retention.ms": "log.local.retention.ms",
};

export interface BrokerConfig {
  name: string;
  value: string;
  /** Kafka's source: the broker's own id is set for it (STATIC_BROKER_CONFIG), the rest are Runnel's defaults (DEFAULT_CONFIG). */
  source: "STATIC_BROKER_CONFIG" | "DEFAULT_CONFIG";
}

/** Every config of broker `brokerId`, by name. */
export function brokerConfigs(brokerId: number): BrokerConfig[] {
  const fixed = (name: string, value: string | number | boolean): BrokerConfig => ({ name, value: String(value), source: "DEFAULT_CONFIG" });
  const configs: BrokerConfig[] = [
    { name: "broker.id", value: String(brokerId), source: "STATIC_BROKER_CONFIG" },
    fixed("num.partitions", 1),
    fixed("default.replication.factor", 1),
    fixed("auto.create.topics.enable", false),
    fixed("delete.topic.enable", true),
    fixed("offsets.topic.num.partitions", OFFSETS_TOPIC_PARTITIONS),
    fixed("offsets.topic.replication.factor", OFFSETS_TOPIC_REPLICATION_FACTOR),
    fixed("group.min.session.timeout.ms", limits.sessionTimeoutMsMin),
    fixed("group.max.session.timeout.ms", limits.sessionTimeoutMsMax),
    fixed("group.max.size", limits.groupMembersMax),
    ...describeConfigs({}).map((c) => fixed(BROKER_SYNONYMS[c.name], c.value)),
  ];
  return configs.sort((a, b) => a.name.localeCompare(b.name));
}
