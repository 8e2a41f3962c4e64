// The end of a run: once every broker is healed and every partition's
// replicas are in sync (high watermark = log end offset), each partition
// is read whole from its log start to its high watermark; every record is
// a `log.read` event, the truth the checker compares the rest with.
import { idOf } from "./workloads/consumers.mjs";
import { request, sleep } from "./http.mjs";

/** Reads `partitions` partitions of `topic` whole into the history; throws when one does not settle within `settleMs`. */
export async function readAll(url, history, topic, partitions, settleMs = 60_000) {
  for (let p = 0; p < partitions; p++) {
    const path = `${url}/v3/clusters/runnel-local/topics/${topic}/partitions/${p}`;
    const deadline = Date.now() + settleMs;
    let view = null;
    for (;;) {
      const res = await request("GET", path);
      if (res.status === 200 && res.body.leader !== null && res.body.high_watermark === res.body.log_end_offset && res.body.isr.length === res.body.replicas.length) {
        view = res.body;
        break;
      }
      if (Date.now() > deadline) throw new Error(`${topic}/${p} did not settle in ${settleMs} ms: ${JSON.stringify(res.body)}`);
      await sleep(250);
    }
    history.record({ type: "log.scanned", topic, partition: p, logStartOffset: view.log_start_offset, highWatermark: view.high_watermark });
    for (let offset = view.log_start_offset; offset < view.high_watermark; ) {
      const res = await request("GET", `${path}/records?offset=${offset}&format=json&max_bytes=1048576`);
      if (res.status !== 200) throw new Error(`reading ${topic}/${p} at ${offset}: ${JSON.stringify(res.body)}`);
      for (const r of res.body.records) history.record({ type: "log.read", topic, partition: p, offset: r.offset, id: idOf(r.value) });
      if (res.body.next_offset <= offset) throw new Error(`reading ${topic}/${p}: next offset ${res.body.next_offset} after ${offset}`);
      offset = res.body.next_offset;
    }
  }
}
