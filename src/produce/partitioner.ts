/**
 * Where each record goes: an explicit partition wins, a key goes where
 * Kafka's default partitioner puts it, and keyless records of one request
 * stick to one partition (Kafka's sticky partitioner), rotating across
 * requests so keyless traffic spreads evenly.
 */
import { partitionForKey } from "./murmur2";

let nextKeyless = Math.floor(Math.random() * 1024);

/** The partition for keyless records of the next request. */
export function keylessPartition(partitionsCount: number): number {
  nextKeyless = (nextKeyless + 1) % 1_000_000_007;
  return nextKeyless % partitionsCount;
}

/** The partition for one record (explicit partitions are checked by the caller). */
export function partitionFor(explicit: number | undefined, key: Uint8Array | null, partitionsCount: number, keyless: number): number {
  if (explicit !== undefined) return explicit;
  if (key !== null) return partitionForKey(key, partitionsCount);
  return keyless;
}
