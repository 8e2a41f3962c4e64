/**
 * The APIs the front door serves, by key. ApiVersions advertises exactly
 * these ranges — every stable version Kafka's definitions give, from Kafka
 * 0.9's to the newest — so no client is offered a version that is not
 * served. A later API is one more file (`serve(apis.X, {handle, failed})`
 * on the generated codecs) and one more entry here.
 */
import type { ApiRange, KafkaApi } from "./api";
import { apiVersions } from "./api-versions";
import { consumerGroupDescribe } from "./consumer-group-describe";
import { consumerGroupHeartbeat } from "./consumer-group-heartbeat";
import { createTopics } from "./create-topics";
import { deleteTopics } from "./delete-topics";
import { describeGroups } from "./describe-groups";
import { fetchApi } from "./fetch";
import { findCoordinator } from "./find-coordinator";
import { heartbeatApi } from "./heartbeat";
import { initProducerId } from "./init-producer-id";
import { joinGroupApi } from "./join-group";
import { leaveGroupApi } from "./leave-group";
import { listGroups } from "./list-groups";
import { listOffsets } from "./list-offsets";
import { metadata } from "./metadata";
import { offsetCommit } from "./offset-commit";
import { offsetFetch } from "./offset-fetch";
import { produce } from "./produce";
import { saslAuthenticate } from "./sasl-authenticate";
import { saslHandshake } from "./sasl-handshake";
import { syncGroupApi } from "./sync-group";

const APIS: KafkaApi[] = [
  produce, fetchApi, listOffsets, metadata, offsetCommit, offsetFetch, findCoordinator, joinGroupApi, heartbeatApi, leaveGroupApi, syncGroupApi,
  describeGroups, listGroups, saslHandshake, apiVersions, createTopics, deleteTopics, initProducerId, saslAuthenticate,
  consumerGroupHeartbeat, consumerGroupDescribe,
];

const BY_KEY = new Map<number, KafkaApi>(APIS.map((a) => [a.key, a]));

/** The API with this key, or undefined when it is not served. */
export function apiFor(key: number): KafkaApi | undefined {
  return BY_KEY.get(key);
}

/** Every served API's key and version range, by key. */
export const SERVED: readonly ApiRange[] = APIS.map(({ key, minVersion, maxVersion }) => ({ key, minVersion, maxVersion })).sort((a, b) => a.key - b.key);
