/**
 * The consumer: a member of a consumer group over the WebSocket API, read
 * as an async iterator of records. The socket is granted `maxBufferedRecords`
 * records of credit and more only as the application pulls records out,
 * so at most that many are ever buffered or on the way. Commits carry the
 * next offset to read (Kafka's meaning). A dropped socket is opened again
 * with backoff; the group then starts it from the committed offsets, so a
 * record consumed and not yet committed is delivered again (at least once).
 */
import { RunnelError } from "./errors";
import { seg, type Http } from "./http";
import { ConsumerState, type TopicPartitionOffset, type WireRecord, tpKey } from "./consumer-state";

import type { ConsumerOptions } from "./consumer-options";
import { type ConsumerRecord, decodeRecord, type Format } from "./serde";

export type { ConsumerOptions } from "./consumer-options";
export type { ConsumerRecord } from "./serde";
import { backoffMs, sleep } from "./retry";
import { openSubscription, REFUSED } from "./subscription";
import { closeError, type SocketLike, type SocketOptions } from "./ws-open";

export class Consumer<V = unknown> implements AsyncIterableIterator<ConsumerRecord<V>> {
  private readonly state: ConsumerState;
  private readonly format: Format;
  private ws: SocketLike | null = null;
  private wakeReader: (() => void) | null = null;
  private last: WireRecord | null = null;
  private failure: RunnelError | null = null;
  private closed = false;
  private connecting: Promise<void> | null = null;
  private commitSeq = 0;
  private readonly acks = new Map<string, { resolve: () => void; reject: (e: RunnelError) => void }>();
  private readonly timer: ReturnType<typeof setInterval> | null;
  private readonly autoCommit: boolean;

  constructor(
    private readonly http: Http,
    private readonly clusterPath: () => Promise<string>,
    private readonly socketOptions: SocketOptions,
    private readonly options: ConsumerOptions,
  ) {
    if (typeof options.group !== "string" || options.group === "") throw new RunnelError(400, "a consumer needs a group");
    if (!Array.isArray(options.topics) || options.topics.length === 0) throw new RunnelError(400, "a consumer needs topics");
    this.format = options.format ?? "string";
    if (!["string", "json", "binary"].includes(this.format)) throw new RunnelError(400, `format must be string, json or binary, got '${this.format}'`);
    const window = options.maxBufferedRecords ?? 10_000;
    if (!Number.isInteger(window) || window < 1) throw new RunnelError(400, `maxBufferedRecords must be a positive integer, got ${window}`);
    this.state = new ConsumerState(window, (records) => this.sendFrame({ type: "permit", records }));
    this.autoCommit = options.autoCommit ?? true;
    this.timer = this.autoCommit ? setInterval(() => void this.backgroundCommit(), options.autoCommitIntervalMs ?? 5_000) : null;
    this.connecting = this.connectLoop();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next record, waiting for one; the record handed out before it counts as consumed. */
  async next(): Promise<IteratorResult<ConsumerRecord<V>>> {
    this.markConsumed();
    for (;;) {
      if (this.failure !== null) {
        const e = this.failure;
        this.failure = null;
        throw e;
      }
      if (this.closed) return { done: true, value: undefined };
      const r = this.state.take();
      if (r !== undefined) {
        this.last = r;
        return { done: false, value: decodeRecord(r, this.format) as ConsumerRecord<V> };
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  /** Leaving a `for await` loop: the last record counts as consumed, and the consumer closes. */
  async return(): Promise<IteratorResult<ConsumerRecord<V>>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /**
   * Commits `offsets` (each the next offset to read, Kafka's meaning), or
   * by default every consumed position not yet committed. Resolves once
   * the group has stored them; a partition this member no longer owns is a
   * 40904.
   */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    if (offsets === undefined) this.markConsumed(); // the record being handled is done when the application commits
    await this.commitNow(offsets ?? this.state.uncommitted());
  }

  private async commitNow(list: TopicPartitionOffset[]): Promise<void> {
    if (list.length === 0) return;
    if (this.ws === null) throw new RunnelError(0, "the consumer is not connected; nothing was committed");
    const id = `c${++this.commitSeq}`;
    const acked = new Promise<void>((resolve, reject) => this.acks.set(id, { resolve, reject }));
    this.sendFrame({ type: "commit", id, offsets: list.map(({ topic, partition, offset }) => ({ topic, partition, offset })) });
    await acked;
    for (const o of list) this.state.committed.set(tpKey(o.topic, o.partition), o.offset);
  }

  /**
   * Moves an owned partition's position to `offset`, or to the first
   * record at or after `timestamp` (epoch ms or Date); records buffered
   * for it are dropped.
   */
  async seek(target: { topic: string; partition: number; offset?: number; timestamp?: number | Date }): Promise<void> {
    const { topic, partition } = target;
    if (!this.state.assigned.has(tpKey(topic, partition))) throw new RunnelError(40904, `partition ${partition} of '${topic}' is not assigned to this consumer`);
    let offset = target.offset;
    if (offset === undefined) {
      if (target.timestamp === undefined) throw new RunnelError(400, "seek needs an offset or a timestamp");
      const ts = target.timestamp instanceof Date ? target.timestamp.getTime() : target.timestamp;
      const path = `${await this.clusterPath()}/topics/${seg(topic)}/partitions/${partition}/offsets?timestamp=${ts}`;
      offset = (await this.http.json<{ offset: number }>({ path })).offset;
    }
    this.state.sought(topic, partition, offset);
    this.sendFrame({ type: "seek", topic, partition, offset });
  }

  /** Records received and not yet handed out (never more than `maxBufferedRecords`). */
  get buffered(): number {
    return this.state.buffered;
  }

  /** The partitions owned now, with where delivery of each started. */
  assignment(): TopicPartitionOffset[] {
    return [...this.state.assigned.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset ?? -1 }));
  }

  /** Stops: commits what was consumed (with auto-commit), leaves the group, ends the iteration. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.markConsumed();
    let error: unknown = null;
    if (this.autoCommit && this.ws !== null) await this.commit().catch((e) => (error = e));
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "consumer closed");
    this.wake();
    // A server that never answers the close frame must not hold us: wait a moment, then drop the connection (the ws package can).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.connecting?.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    ws?.terminate?.();
    if (error !== null) throw error;
  }

  private markConsumed(): void {
    if (this.last !== null) this.state.consumedUpTo(this.last);
    this.last = null;
  }

  /** Keeps a socket open until closed: connects, waits for it to drop, backs off, connects again. */
  private async connectLoop(): Promise<void> {
    let refusals = 0;
    for (let attempt = 1; !this.closed; ) {
      let ws: SocketLike;
      try {
        ws = await this.open();
      } catch (e) {
        const error = e instanceof RunnelError ? e : new RunnelError(0, String(e));
        if (error.status === 401 || error.status === 403 || error.status === 400 || error.errorCode === 40401) return this.fail(error, true);
        // The server answers (the probe got through) yet refuses the upgrade, and this WebSocket cannot say why.
        if (error.errorCode === REFUSED && ++refusals >= REFUSALS_MAX) return this.fail(new RunnelError(400, `the server refused the WebSocket subscription ${REFUSALS_MAX} times (check the topics and options); ${error.message}`, 400), true);
        this.report(error);
        await sleep(backoffMs(attempt++, this.options.reconnectBackoffMs ?? 250, this.options.reconnectBackoffMaxMs ?? 10_000));
        continue;
      }
      refusals = 0;
      if (this.closed) return ws.close(1000, "consumer closed");
      const closedBy = await this.serve(ws);
      if (closedBy.status === 401 || closedBy.status === 403) return this.fail(closedBy, true);
      if (!this.closed) {
        await sleep(backoffMs(attempt++, this.options.reconnectBackoffMs ?? 250, this.options.reconnectBackoffMaxMs ?? 10_000));
        if (closedBy.status === 200) attempt = 1; // it had worked: start the backoff over
      }
    }
  }

  private open(): Promise<SocketLike> {
    const o = this.options;
    return openSubscription(this.http, this.socketOptions, { ...o, window: this.state.window, wireFormat: this.format === "binary" ? "binary" : "string" });
  }

  /** Handles one socket until it closes; resolves with why (status 200: it had been assigned partitions). */
  private serve(ws: SocketLike): Promise<RunnelError> {
    this.ws = ws;
    let assignedOnce = false;
    return new Promise((resolve) => {
      ws.addEventListener("message", (event: { data: unknown }) => {
        try {
          const frame = JSON.parse(String(event.data)) as Record<string, any>;
          if (frame.type === "assignment") assignedOnce = true;
          this.onFrame(frame);
        } catch (e) {
          this.fail(e instanceof RunnelError ? e : new RunnelError(0, `malformed frame from the server: ${(e as Error).message}`));
        }
      });
      ws.addEventListener("close", (event: { code: number; reason: string }) => {
        if (this.ws === ws) this.ws = null;
        const error = closeError(event.code, event.reason);
        for (const ack of this.acks.values()) ack.reject(new RunnelError(0, `the connection closed before the commit was acknowledged (${event.code})`));
        this.acks.clear();
        const owned = this.state.disconnected();
        if (owned.length > 0) this.callback(this.options.onRevoke, owned);
        resolve(assignedOnce && event.code < 4400 ? new RunnelError(200, "") : error);
      });
    });
  }

  private onFrame(frame: Record<string, any>): void {
    switch (frame.type) {
      case "records":
        if (this.state.received(frame.topic, frame.partition, frame.records)) this.wake();
        return;
      case "assignment": {
        const { revoked, added } = this.state.reassigned(frame.partitions);
        if (revoked.length > 0) this.callback(this.options.onRevoke, revoked);
        if (added.length > 0) this.callback(this.options.onAssign, added);
        return;
      }
      case "ack":
        this.acks.get(String(frame.id))?.resolve();
        this.acks.delete(String(frame.id));
        return;
      case "error": {
        const status = Math.floor(frame.error_code >= 1000 ? frame.error_code / 100 : frame.error_code);
        const error = new RunnelError(frame.error_code, frame.message, status, null, null, typeof frame.error_name === "string" ? frame.error_name : null);
        const ack = frame.id === undefined ? undefined : this.acks.get(String(frame.id));
        if (ack === undefined) this.report(error);
        else {
          this.acks.delete(String(frame.id));
          ack.reject(error);
        }
        return;
      }
      case "ping":
        this.sendFrame({ type: "pong" });
        return;
    }
  }

  private callback(cb: ((p: TopicPartitionOffset[]) => void | Promise<void>) | undefined, partitions: TopicPartitionOffset[]): void {
    if (cb === undefined) return;
    Promise.resolve()
      .then(() => cb(partitions))
      .catch((e) => this.fail(e instanceof RunnelError ? e : new RunnelError(0, `a rebalance callback failed: ${(e as Error)?.message ?? e}`)));
  }

  private async backgroundCommit(): Promise<void> {
    if (this.ws === null || this.closed) return;
    // Not the record being handled now: only those the application has gone past.
    await this.commitNow(this.state.uncommitted()).catch((e: RunnelError) => this.report(e));
  }

  /** A background failure: to `onError`, else thrown from the next `next()` (a stale-member commit or a connection that failed, which is tried again, is left alone). */
  private report(e: RunnelError): void {
    if (this.options.onError !== undefined) this.options.onError(e);
    else if (e.errorCode !== 40904 && e.errorCode > 0) this.fail(e);
  }

  private fail(e: RunnelError, fatal = false): void {
    this.failure = e;
    if (fatal) {
      this.closed = true;
      if (this.timer !== null) clearInterval(this.timer);
    }
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = null;
    wake?.();
  }

  private sendFrame(frame: object): void {
    if (this.ws !== null && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }
}

const REFUSALS_MAX = 3;

/** How long `close` waits for the server to answer the close frame. */
const CLOSE_WAIT_MS = 1_000;
