/**
 * What the config APIs (DescribeConfigs, AlterConfigs,
 * IncrementalAlterConfigs) share: Kafka's codes for config resource types,
 * sources and value types, and how a broker resource is judged. The front
 * door is one broker, named by its node id; a broker resource named
 * otherwise is INVALID_REQUEST, as a Kafka broker answers a request meant
 * for another ("" is the cluster-wide default, which Runnel has none of).
 */
import { KafkaCode } from "../errors";
import type { Refusal } from "./refusal";

/** Kafka's ConfigResource.Type codes Runnel answers. */
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's ConfigSource codes, by the names the Worker gives. */
const SOURCES: Record<string, number> = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
};

/** Kafka's ConfigSource code of a source name; UNKNOWN (0) for one it does not have. */
export function sourceCode(name: string): number {
  return SOURCES[name] ?? 0;
}

/** Kafka's ConfigType codes. */
const [BOOLEAN, STRING, INT, SHORT, LONG, LIST] = [1, 2, 3, 4, 5, 7];

/** The type Kafka gives each config Runnel has (topic and broker). */
const TYPES: Record<string, number> = {
  "retention.ms": LONG,
  "retention.bytes": LONG,
  "segment.bytes": INT,
  "segment.ms": LONG,
  "max.message.bytes": INT,
  "min.insync.replicas": INT,
  "cleanup.policy": LIST,
  "compression.type": STRING,
  "message.timestamp.type": STRING,
  "unclean.leader.election.enable": BOOLEAN,
  "replica.lag.time.max.ms": LONG,
  "broker.id": INT,
  "num.partitions": INT,
  "default.replication.factor": INT,
  "auto.create.topics.enable": BOOLEAN,
  "delete.topic.enable": BOOLEAN,
  "offsets.topic.num.partitions": INT,
  "offsets.topic.replication.factor": SHORT,
  "group.min.session.timeout.ms": INT,
  "group.max.session.timeout.ms": INT,
  "group.max.size": INT,
  "log.retention.ms": LONG,
  "log.retention.bytes": LONG,
  "log.segment.bytes": INT,
  "log.roll.ms": LONG,
  "message.max.bytes": INT,
  "log.cleanup.policy": LIST,
  "log.message.timestamp.type": STRING,
};

/** Kafka's ConfigType code of a config; UNKNOWN (0) for one not in the table. */
export function typeCode(name: string): number {
  return TYPES[name] ?? 0;
}

/** Whether Kafka holds `name` as a list (APPEND and SUBTRACT apply only to those). */
export function isListConfig(name: string): boolean {
  return TYPES[name] === LIST;
}

/**
 * Null when `resourceName` names this broker (its node id) or every
 * broker (""); else Kafka's refusal of a resource meant for another.
 */
export function otherBroker(resourceName: string, nodeId: number): Refusal | null {
  if (resourceName === "" || resourceName === String(nodeId)) return null;
  return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `unexpected broker id, expected ${nodeId} or empty string, but received ${resourceName}` };
}

/** Kafka's refusal of a resource type the API does not take. */
export function unsupportedType(resourceType: number): Refusal {
  return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `config resource type ${resourceType} is not supported: Runnel has topic and broker configs` };
}

/** Broker configs cannot be changed: Runnel fixes them (INVALID_CONFIG, Kafka's refusal of a config that cannot be updated). */
export function readOnlyBroker(names: string[]): Refusal {
  return { errorCode: KafkaCode.INVALID_CONFIG, errorMessage: `cannot update these broker configs: ${names.join(", ")} (Runnel's broker configs are read-only; topic configs can be changed)` };
}
