/**
 * Runnel's TypeScript client (`runnel/client`): producers that batch,
 * compress and retry without duplicates; consumers in groups over the
 * WebSocket with credit-based flow control; the admin API. Runs wherever
 * fetch exists: Node 20+, browsers, Cloudflare Workers. docs/client.md
 * is its guide.
 */
export { Runnel, type RunnelOptions } from "./runnel";
export { RunnelError } from "./errors";
export type { Producer, ProducerOptions, ProducerRecord, RecordMetadata } from "./producer";
export type { Consumer, ConsumerOptions, ConsumerRecord } from "./consumer";
export type { Fetched, FetchOptions } from "./fetch-records";
export type { TopicPartitionOffset } from "./consumer-state";
export type { Admin, Acl, OffsetReset, TopicSpec } from "./admin";
export type { CompressionName } from "./codecs";
export type { Format, HeadersInput, Payload } from "./serde";
export type { FetchLike } from "./http";
export type { WebSocketConstructor, SocketLike } from "./ws-open";
