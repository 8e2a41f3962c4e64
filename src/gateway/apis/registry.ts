/**
 * The APIs the front door serves, by key. ApiVersions advertises exactly
 * these ranges — every stable version Kafka's definitions give, from Kafka
 * 0.9's to the newest — so no client is offered a version that is not
 * served. A later API is one more file (`serve(apis.X, {handle, failed})`
 * on the generated codecs) and one more entry here.
 */
import type { ApiRange, KafkaApi } from "./api";
import { alterConfigs } from "./alter-configs";
import { apiVersions } from "./api-versions";
import { consumerGroupDescribe } from "./consumer-group-describe";
import { consumerGroupHeartbeat } from "./consumer-group-heartbeat";
import { createAcls } from "./create-acls";
import { createPartitions } from "./create-partitions";
import { createTopics } from "./create-topics";
import { deleteAcls } from "./delete-acls";
import { deleteGroups } from "./delete-groups";
import { deleteRecords } from "./delete-records";
import { deleteTopics } from "./delete-topics";
import { describeAcls } from "./describe-acls";
import { describeCluster } from "./describe-cluster";
import { describeConfigs } from "./describe-configs";
import { describeGroups } from "./describe-groups";
import { describeLogDirs } from "./describe-log-dirs";
import { describeProducers } from "./describe-producers";
import { fetchApi } from "./fetch";
import { findCoordinator } from "./find-coordinator";
import { heartbeatApi } from "./heartbeat";
import { incrementalAlterConfigs } from "./incremental-alter-configs";
import { initProducerId } from "./init-producer-id";
import { joinGroupApi } from "./join-group";
import { leaveGroupApi } from "./leave-group";
import { listGroups } from "./list-groups";
import { listOffsets } from "./list-offsets";
import { metadata } from "./metadata";
import { offsetCommit } from "./offset-commit";
import { offsetDelete } from "./offset-delete";
import { offsetFetch } from "./offset-fetch";
import { offsetForLeaderEpoch } from "./offset-for-leader-epoch";
import { produce } from "./produce";
import { saslAuthenticate } from "./sasl-authenticate";
import { saslHandshake } from "./sasl-handshake";
import { syncGroupApi } from "./sync-group";

const APIS: KafkaApi[] = [
  produce, fetchApi, listOffsets, metadata, offsetCommit, offsetFetch, findCoordinator, joinGroupApi, heartbeatApi, leaveGroupApi, syncGroupApi,
  describeGroups, listGroups, saslHandshake, apiVersions, createTopics, deleteTopics, initProducerId, saslAuthenticate,
  // admin APIs that tools send
  deleteRecords, offsetForLeaderEpoch, describeAcls, createAcls, deleteAcls, describeConfigs, alterConfigs, describeLogDirs, createPartitions, deleteGroups,
  incrementalAlterConfigs, offsetDelete, describeCluster, describeProducers,
  // KIP-848 consumer groups
  consumerGroupHeartbeat, consumerGroupDescribe,
];

const BY_KEY = new Map<number, KafkaApi>(APIS.map((a) => [a.key, a]));

/** The API with this key, or undefined when it is not served. */
export function apiFor(key: number): KafkaApi | undefined {
  return BY_KEY.get(key);
}

/** Every served API's key and version range, by key. */
export const SERVED: readonly ApiRange[] = APIS.map(({ key, minVersion, maxVersion }) => ({ key, minVersion, maxVersion })).sort((a, b) => a.key - b.key);
