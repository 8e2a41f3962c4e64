// The record-batch path (API.md "Record batches over HTTP"): the client's
// producer, which sends Kafka record batches, and fetches of the stored
// batches as bytes (Accept: application/vnd.kafka.record-batch), decoded
// here — so the server neither parses JSON nor renders it, either way.
// The producer sends uncompressed batches, so decoding needs no codec.
import { httpClient } from "./http.mjs";
import { clientPath } from "./paths.mjs";

const RECORD_BATCH = "application/vnd.kafka.record-batch";
/** Where a batch's records start (Kafka's magic-2 batch header). */
const BATCH_HEADER_BYTES = 61;

/** The batches path: the client path's producer and group member (of the `client` module, as clientPath), and byte fetches decoded here. */
export async function batchesPath(url, key, recordBytes, client) {
  const viaClient = await clientPath(url, key, recordBytes, client);
  const { getBytes } = httpClient(url, key === null ? {} : { authorization: `Bearer ${key}` });
  return {
    ...viaClient,
    name: "batches",
    async fetch(topic, partition, offset, maxBytes) {
      const path = `/v3/clusters/runnel-local/topics/${topic}/partitions/${partition}/batches?offset=${offset}&timeout_ms=500&max_bytes=${maxBytes}`;
      const res = await getBytes(path, RECORD_BATCH);
      if (res.status !== 200) throw new Error(`fetch batches ${partition}@${offset}: ${res.status} ${res.body.toString().slice(0, 300)}`);
      return { records: decodeBatches(res.body, offset), nextOffset: Number(res.headers["runnel-next-offset"]) };
    },
  };
}

/** The records at or after `fromOffset` in `bytes` (concatenated uncompressed magic-2 batches): { offset, value } with latin1 values. */
function decodeBatches(bytes, fromOffset) {
  const records = [];
  for (let at = 0; at < bytes.length; ) {
    const baseOffset = Number(bytes.readBigInt64BE(at));
    const end = at + 12 + bytes.readInt32BE(at + 8);
    if ((bytes.readInt16BE(at + 21) & 7) !== 0) throw new Error(`batch at offset ${baseOffset} is compressed: the bench producer sends none`);
    const count = bytes.readInt32BE(at + 57);
    const r = { pos: at + BATCH_HEADER_BYTES };
    for (let i = 0; i < count; i++) {
      varint(bytes, r); // length
      r.pos++; // attributes
      varint(bytes, r); // timestamp delta
      const offset = baseOffset + varint(bytes, r);
      const keyLength = varint(bytes, r);
      if (keyLength > 0) r.pos += keyLength;
      const valueLength = varint(bytes, r);
      const value = valueLength < 0 ? null : bytes.toString("latin1", r.pos, r.pos + valueLength);
      r.pos += Math.max(0, valueLength);
      const headers = varint(bytes, r);
      for (let h = 0; h < headers; h++) {
        r.pos += varint(bytes, r);
        r.pos += Math.max(0, varint(bytes, r));
      }
      if (offset >= fromOffset) records.push({ offset, value });
    }
    if (r.pos !== end) throw new Error(`batch at offset ${baseOffset}: records end at ${r.pos - at}, the batch at ${end - at}`);
    at = end;
  }
  return records;
}

/** A zigzag varint at `r.pos` (advancing it). */
function varint(bytes, r) {
  let n = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[r.pos++];
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}
