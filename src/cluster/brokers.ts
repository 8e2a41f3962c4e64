/**
 * Broker slots: placement targets from configuration. Replica j of
 * partition i lives on broker (i + j) mod n, in the configured order.
 */
import type { Env } from "../env";

export interface Broker {
  id: number;
  name: string;
  /** A Durable Object location hint ("weur", "enam", ...), if any. */
  locationHint?: DurableObjectLocationHint;
  /** A Durable Object jurisdiction ("eu", "fedramp"), if any. */
  jurisdiction?: DurableObjectJurisdiction;
}

let cached: { source: string; brokers: Broker[] } | null = null;

/** The configured brokers, in placement order. Throws on a bad BROKERS var. */
export function brokersOf(env: Pick<Env, "BROKERS">): Broker[] {
  if (cached !== null && cached.source === env.BROKERS) return cached.brokers;
  const raw = JSON.parse(env.BROKERS) as unknown;
  if (!Array.isArray(raw) || raw.length === 0) throw new Error("BROKERS must be a non-empty JSON array");
  const brokers = raw.map((b: Record<string, unknown>, i): Broker => {
    if (typeof b.id !== "number" || !Number.isInteger(b.id) || b.id < 0) throw new Error(`BROKERS[${i}].id must be a non-negative integer`);
    const broker: Broker = { id: b.id, name: typeof b.name === "string" ? b.name : `broker-${b.id}` };
    if (typeof b.location_hint === "string") broker.locationHint = b.location_hint as DurableObjectLocationHint;
    if (typeof b.jurisdiction === "string") broker.jurisdiction = b.jurisdiction as DurableObjectJurisdiction;
    return broker;
  });
  if (new Set(brokers.map((b) => b.id)).size !== brokers.length) throw new Error("BROKERS ids must be unique");
  cached = { source: env.BROKERS, brokers };
  return brokers;
}

/** The configured broker with id `brokerId`, or undefined. */
export function brokerById(env: Pick<Env, "BROKERS">, brokerId: number): Broker | undefined {
  return brokersOf(env).find((b) => b.id === brokerId);
}

/** The brokers holding partition `partition`'s replicas; the first is the preferred leader. */
export function replicaBrokers(partition: number, replicationFactor: number, brokers: Broker[]): Broker[] {
  const out: Broker[] = [];
  for (let j = 0; j < replicationFactor; j++) out.push(brokers[(partition + j) % brokers.length]!);
  return out;
}
