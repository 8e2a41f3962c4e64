/**
 * Where segments live in the bucket. Every object of a topic is under
 * `{topic id}/` (so deleting a topic deletes one prefix), of a partition
 * under `{topic id}/{partition}/` (what the orphan sweep lists); a
 * segment's key carries its base offset, the epoch of the leader that
 * uploaded it and a unique id, so two uploads of one range — a deposed
 * leader's and its successor's, or a retry after a crash — never share a
 * key:
 *
 *     {topic id}/{partition}/{base offset, 20 digits}-{leader epoch}-{uuid}.log
 */

/** The prefix of every object of topic `topicId`. */
export function topicPrefix(topicId: string): string {
  return `${topicId}/`;
}

/** The prefix of every object of one partition. */
export function partitionPrefix(topicId: string, partition: number): string {
  return `${topicId}/${partition}/`;
}

/** A fresh key for a segment starting at `baseOffset` uploaded by the leader of `leaderEpoch`. */
export function segmentKey(topicId: string, partition: number, baseOffset: number, leaderEpoch: number): string {
  return `${partitionPrefix(topicId, partition)}${String(baseOffset).padStart(20, "0")}-${leaderEpoch}-${crypto.randomUUID()}.log`;
}
