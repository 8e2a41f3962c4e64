/** Shapes of keys, quotas, audit entries and the access snapshot a Worker caches. */
import type { Acl } from "./acl";

/** A key as clients see it (never the secret, except once at creation). */
export interface KeyView {
  key_id: string;
  principal: string;
  description: string;
  created_at: string;
  disabled: boolean;
}

/** What a Worker needs to verify a key. */
export interface KeyEntry {
  keyId: string;
  principal: string;
  disabled: boolean;
  salt: string;
  hash: string;
}

/** Kafka's client quotas, per second; null: no limit of that kind. */
export interface Quota {
  principal: string;
  producer_byte_rate: number | null;
  consumer_byte_rate: number | null;
  request_rate: number | null;
}

export interface AuditEntry {
  /** Epoch ms. */
  time: number;
  principal: string;
  action: string;
  resource: string;
  outcome: "success" | "failure" | "denied";
  error_code?: number;
}

/** Everything a Worker checks requests against, at `version`. */
export interface AccessSnapshot {
  version: number;
  keys: KeyEntry[];
  acls: Acl[];
  quotas: Quota[];
}
