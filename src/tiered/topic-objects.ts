/**
 * Deleting a deleted topic's objects from the bucket: the controller's
 * owed wipe (src/controller/replica-tasks.ts) calls this once every
 * replica is wiped (so no upload can still be in flight), and retries
 * from its alarm until it answers true.
 */
import type { Env } from "../env";
import { isFailure } from "../errors";
import { limits } from "../limits";
import { Bucket } from "./bucket";
import { topicPrefix } from "./object-keys";

/**
 * Deletes up to `pagesMax` pages (1,000 keys each) of topic `topicId`'s
 * objects; true when none is left, false when some are (or the bucket
 * failed: one warning line), for the caller to retry.
 */
export async function deleteTopicObjects(env: Env, topicId: string, pagesMax = 10): Promise<boolean> {
  const bucket = new Bucket(env.SEGMENTS);
  for (let page = 0; page < pagesMax; page++) {
    const listed = await bucket.list(topicPrefix(topicId), null);
    const deleted = isFailure(listed) || listed.objects.length === 0 ? listed : await bucket.delete(listed.objects.map((o) => o.key).slice(0, limits.remoteDeleteKeysPerStepMax));
    if (isFailure(deleted)) {
      console.warn(JSON.stringify({ level: "warn", event: "topic-objects-delete-failed", topicId, error_name: deleted.error_name, message: deleted.message }));
      return false;
    }
    if (!isFailure(listed) && listed.objects.length === 0) return true;
  }
  return false;
}
