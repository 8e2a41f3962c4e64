/**
 * Live tails over Server-Sent Events (ext): what a stream reads and how it
 * writes. A `PartitionTail` reads one partition from an offset, one event
 * per stored batch, long-polling the leader at the high watermark (the
 * read parks there, so an idle stream costs a parked call and nothing
 * else). A `TopicTail` keeps one such read per partition. `sseBody` turns
 * either into a stream that reads only when the client has taken what was
 * written before (the runtime pulls as the socket drains), so a slow
 * reader holds the server to one read's worth of events per stream.
 */
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import type { RecordFormat } from "./format";
import { renderBatches, UnrenderableRecord } from "./render";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { topicMeta } from "../metadata/topic-cache";
import type { FetchOk } from "../replication/types";
import { bugBody } from "../rpc/boundary";
import type { TopicMeta } from "../topic/types";

/** One stored batch's records at or after a tail's offset, rendered as fetch renders them. */
export interface TailEvent {
  partition: number;
  /** The records' JSON objects joined by commas (no brackets). */
  json: string;
  /** One past the last record of the event: where a reader resumes. */
  nextOffset: number;
}

/** Something that yields events, waiting up to `waitMs` for some. */
export interface EventSource {
  next(waitMs: number): Promise<TailEvent[]>;
}

/** Reads one partition from `offset` on, below the high watermark. */
export class PartitionTail implements EventSource {
  /** A record format=json could not show: thrown by the next read, after the events before it. */
  private failed: RunnelError | null = null;

  constructor(
    private readonly env: Env,
    private readonly topic: TopicMeta,
    readonly partition: number,
    /** The next offset to read. */
    public offset: number,
    private readonly format: RecordFormat,
    private readonly readBytes: number,
  ) {}

  /**
   * The events after `offset` (none when nothing came within `waitMs`).
   * Throws 41601 once `offset` is outside the log, 40401 when the topic
   * was deleted (or re-created: a new topic is not this stream's), and
   * the leader's retriable failures as they come.
   */
  async next(waitMs: number): Promise<TailEvent[]> {
    if (this.failed !== null) throw this.failed;
    const topic = await this.current();
    const args = { topicId: topic.topicId, offset: this.offset, maxBytes: this.readBytes, timeoutMs: waitMs };
    const read = unwrap(await callLeader<FetchOk>(this.env, topic, this.partition, (leader) => leader.replica.read(args)));
    const events: TailEvent[] = [];
    for (const batch of read.batches) {
      try {
        const r = await renderBatches([batch], this.offset, Number.MAX_SAFE_INTEGER, topic.topicName, this.partition, this.format);
        if (r.count > 0) this.take(events, r.json, r.nextOffset);
        else this.offset = Math.max(this.offset, r.nextOffset); // a batch the cleaner emptied, or a gap: read on past it
      } catch (e) {
        if (!(e instanceof UnrenderableRecord)) throw e;
        if (e.rendered.count > 0) this.take(events, e.rendered.json, e.rendered.nextOffset);
        this.failed = e;
        break;
      }
    }
    return events;
  }

  private take(events: TailEvent[], json: string, nextOffset: number): void {
    events.push({ partition: this.partition, json, nextOffset });
    this.offset = nextOffset;
  }

  /** The topic as it is now; 40401 when it is gone or is another topic of the same name. */
  private async current(): Promise<TopicMeta> {
    const now = await topicMeta(this.env, this.topic.topicName);
    if (now.topicId !== this.topic.topicId) {
      throw new RunnelError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${this.topic.topicName}' was deleted while this stream read it`);
    }
    return now;
  }
}

/**
 * Every partition of a topic: one read in flight, or its events waiting
 * to be written, per partition at any time — so what a stream holds is
 * bounded by the partition count times one read.
 */
export class TopicTail implements EventSource {
  private readonly inflight = new Map<number, Promise<void>>();
  private ready: TailEvent[] = [];
  private failed: unknown = null;

  constructor(readonly tails: PartitionTail[]) {}

  async next(waitMs: number): Promise<TailEvent[]> {
    this.throwFailure();
    for (const tail of this.tails) if (!this.inflight.has(tail.partition)) this.start(tail, waitMs);
    if (this.ready.length === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([...this.inflight.values(), quiet]);
      clearTimeout(timer);
    }
    const out = this.ready;
    this.ready = [];
    if (out.length === 0) this.throwFailure();
    return out;
  }

  private start(tail: PartitionTail, waitMs: number): void {
    const read = tail
      .next(waitMs)
      .then(
        (events) => void this.ready.push(...events),
        (e) => void (this.failed ??= e),
      )
      .finally(() => this.inflight.delete(tail.partition));
    this.inflight.set(tail.partition, read);
  }

  private throwFailure(): void {
    const e = this.failed;
    this.failed = null;
    if (e !== null) throw e;
  }
}

/** Waits before the next read when the principal is over its consumer byte quota, and is charged what was written. */
export interface Pacer {
  /** How long to wait before reading (0: go on). */
  delayMs(): Promise<number>;
  charge(bytes: number): Promise<void>;
}

/** Failures a stream outlives: it waits `limits.sseRetryMs` and reads again. */
const RETRIABLE: ReadonlySet<number> = new Set([ErrorCode.RETRIABLE, ErrorCode.LEADER_NOT_AVAILABLE]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The SSE body: `first` events, then whatever `source` yields, each event
 * formatted by `format`, and a `: ping` comment after `limits.ssePingMs`
 * without one. A failure the stream cannot outlive is written as an
 * `error` event (`{"error_code","message"}`) and ends the stream.
 */
export function sseBody(source: EventSource, first: TailEvent[], format: (e: TailEvent) => string, pacer: Pacer | null): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pending: string[] = first.map(format);
  let lastWriteMs = Date.now();
  let ending = false;
  let cancelled = false;

  /** Reads until something is pending, the stream must ping, or it ends. */
  async function fill(): Promise<void> {
    while (pending.length === 0 && !ending && !cancelled) {
      const quietMs = limits.ssePingMs - (Date.now() - lastWriteMs);
      if (quietMs <= 0) {
        pending.push(": ping\n\n");
        return;
      }
      const delayMs = pacer === null ? 0 : await pacer.delayMs();
      if (delayMs > 0) {
        await sleep(Math.min(delayMs, quietMs));
        continue;
      }
      const startedMs = Date.now();
      try {
        const events = await source.next(quietMs);
        pending.push(...events.map(format));
        // A read that could not park (the partition's waiters are full) comes back at once: do not spin.
        const spentMs = Date.now() - startedMs;
        if (events.length === 0 && spentMs < Math.min(quietMs, limits.sseRetryMs)) await sleep(Math.min(quietMs, limits.sseRetryMs) - spentMs);
      } catch (e) {
        if (e instanceof RunnelError && RETRIABLE.has(e.errorCode)) {
          await sleep(Math.min(quietMs, limits.sseRetryMs));
          continue;
        }
        pending.push(errorEvent(e));
        ending = true;
      }
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      // Called only when the runtime has written what was enqueued before and wants more.
      async pull(controller) {
        await fill();
        const text = pending.shift();
        if (text === undefined) return controller.close();
        lastWriteMs = Date.now();
        const bytes = encoder.encode(text);
        controller.enqueue(bytes);
        if (pacer !== null && text.startsWith("id:")) await pacer.charge(bytes.length);
        if (ending && pending.length === 0) controller.close();
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
}

/** An `error` event; a bug's text is logged and not shown. */
function errorEvent(e: unknown): string {
  if (e instanceof RunnelError && e.errorCode !== ErrorCode.INTERNAL) return `event: error\ndata: ${JSON.stringify(e.body())}\n\n`;
  return `event: error\ndata: ${JSON.stringify(bugBody(e, "sse", crypto.randomUUID()))}\n\n`;
}
