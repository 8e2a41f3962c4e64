/**
 * The cluster's producer id counter (Kafka's InitProducerId without a
 * transactional id): each id is handed out once, ever. The counter is a
 * row in the controller's SQLite storage, read and advanced in one
 * synchronous step, so concurrent calls never see the same value and a
 * restart carries on after the last id handed out. Ids start at 0 and
 * stay below `limits.producerIdMax` (2^53 - 1).
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";

export class ProducerIds {
  constructor(private readonly sql: SqlStorage) {}

  /** A fresh producer id with epoch 0, or a failure once the ids ran out. */
  next(): { ok: true; producerId: number; producerEpoch: number } | Failure {
    const producerId = this.issued();
    if (producerId >= limits.producerIdMax) return failure(ErrorCode.INTERNAL, "the cluster has handed out every producer id");
    this.sql.exec("UPDATE producer_ids SET next_id = ? WHERE singleton = 0", producerId + 1);
    return { ok: true, producerId, producerEpoch: 0 };
  }

  /** How many ids were handed out: every id below this one was. */
  issued(): number {
    return this.sql.exec<{ next_id: number }>("SELECT next_id FROM producer_ids WHERE singleton = 0").one().next_id;
  }
}
