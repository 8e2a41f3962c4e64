/** What a leader checks of batches offered for append before it assigns offsets. */
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { checkBatch, readBatchHeader } from "../record/record-batch";
import type { TopicConfigs } from "../topic/configs";

/**
 * What is wrong with `batches` offered for append at `logEndOffset`, or
 * null: each a producer's sound batch (framing, CRC, dense offsets: see
 * checkBatch) within `max.message.bytes` and the stored-batch limit, and
 * room for their records below `limits.offsetMax`.
 */
export function refusedBatches(batches: Uint8Array[], configs: TopicConfigs, logEndOffset: number): Failure | null {
  if (batches.length === 0) return failure(ErrorCode.BAD_REQUEST, "no record batches to append");
  const sizeMax = Math.min(limits.batchBytesMax, configs["max.message.bytes"]);
  let records = 0;
  for (const batch of batches) {
    const problem = checkBatch(batch);
    if (problem !== null) return failure(ErrorCode.CORRUPT_MESSAGE, `refused record batch: ${problem}`);
    if (batch.length > sizeMax) return failure(ErrorCode.PAYLOAD_TOO_LARGE, `record batch of ${batch.length} bytes is over the ${sizeMax}-byte limit`);
    records += readBatchHeader(batch).recordCount;
  }
  if (logEndOffset + records > limits.offsetMax) return failure(ErrorCode.BAD_REQUEST, "the partition has run out of offsets");
  return null;
}
