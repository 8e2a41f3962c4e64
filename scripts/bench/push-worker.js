// The benchmark's consumer Worker (bench/push-scenario.mjs): the bench's
// server runs it beside Runnel, bound to Runnel's Worker as a service
// binding, the target of the push scenario's worker subscriptions.
// deliver() accepts each batch at once — what Runnel measures as
// delivered — and reports it to the benchmark in the background, POSTing
// to REPORT_URL its topic, partition, record values, the time it arrived
// and `seq`, its place in the order batches arrived here. The reports'
// POSTs may overtake one another; the benchmark puts them back in `seq`
// order, so it checks the order deliver() saw.
import { WorkerEntrypoint } from "cloudflare:workers";

/** The next batch's place in arrival order (from 0; one isolate serves every call). */
let nextSeq = 0;

export default class BenchConsumer extends WorkerEntrypoint {
  /** Runnel's call: one batch of one partition, its records in offset order. */
  async deliver(batch) {
    // workerd's clock stands still between I/O: Date.now() here is when this call arrived.
    const report = { seq: nextSeq++, received_ms: Date.now(), topic: batch.topic, partition: batch.partition, values: batch.records.map((r) => r.value) };
    const sent = fetch(this.env.REPORT_URL, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(report) });
    this.ctx.waitUntil(sent.then((res) => res.body?.cancel()));
  }
}
