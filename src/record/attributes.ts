/** The attributes field of a record batch header: its codec, timestamp type, transactional and control bits. */

/** Bits 0–2: the compression codec. */
export const COMPRESSION_MASK = 0x07;
/** Bit 3: timestamps set by the log (LogAppendTime) rather than the producer (CreateTime). */
export const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
/** Bit 4: a batch of a transaction. */
export const TRANSACTIONAL = 0x10;
/** Bit 5: a control batch (transaction markers), which only a broker writes. */
export const CONTROL_BATCH = 0x20;
/** Bit 6: the base timestamp is the batch's delete horizon (KIP-534), which only the log cleaner writes. */
export const DELETE_HORIZON = 0x40;

/** Compression codes of the attributes field (Kafka's; 5–7 are not codecs). */
export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

/** The compression code of a batch's attributes. */
export function compressionOf(attributes: number): number {
  return attributes & COMPRESSION_MASK;
}

/** The delete horizon of a batch (epoch ms: its tombstones may go from then on), or null when the cleaner has set none. */
export function deleteHorizonOf(attributes: number, baseTimestampMs: number): number | null {
  return (attributes & DELETE_HORIZON) !== 0 ? baseTimestampMs : null;
}

/** Whether the batch's timestamps were set by the log (LogAppendTime). */
export function isLogAppendTime(attributes: number): boolean {
  return (attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
}
