/**
 * `new Runnel({ url, key })`: one server, one key; producers, consumers
 * and the admin API made from it share its connection settings. The
 * cluster id is asked of the server once (`GET /v3/clusters`) unless given.
 */
import { Admin } from "./admin";
import { Consumer, type ConsumerOptions } from "./consumer";
import { RunnelError } from "./errors";
import { type Fetched, type FetchOptions, fetchRecords } from "./fetch-records";
import { Http, seg, type FetchLike } from "./http";
import { Producer, type ProducerOptions } from "./producer";
import { TopicPartitions } from "./topic-partitions";
import type { WebSocketConstructor } from "./ws-open";

export interface RunnelOptions {
  /** The server, e.g. http://127.0.0.1:8787 (what `npm start` serves). */
  url: string;
  /** An API key, `{key_id}.{secret}`; none when the server serves open. */
  key?: string;
  /** The cluster id (default: the server's only cluster). */
  cluster?: string;
  /** A fetch to use instead of the runtime's (a service binding's, say). */
  fetch?: FetchLike;
  /** A WebSocket constructor to use instead of the default (in Node the ws package's, elsewhere the runtime's). */
  WebSocket?: WebSocketConstructor;
  /** Give up on an HTTP request after this long (default 60,000 ms). */
  timeoutMs?: number;
  /** Ask for gzip-compressed answers, and in Node for compressed WebSocket frames (permessage-deflate); default false, see docs/client.md. */
  compressedResponses?: boolean;
}

export class Runnel {
  private readonly http: Http;
  private clusterPathPromise: Promise<string> | null = null;
  private readonly topicPartitions: TopicPartitions;

  constructor(private readonly options: RunnelOptions) {
    if (options === null || typeof options !== "object") throw new RunnelError(400, "new Runnel({ url, key? })");
    this.http = new Http(options);
    if (options.cluster !== undefined) this.clusterPathPromise = Promise.resolve(`/v3/clusters/${seg(options.cluster)}`);
    this.topicPartitions = new TopicPartitions(this.http, this.clusterPath);
  }

  /** A producer; see `ProducerOptions` for batching, acks, compression and the in-flight bound. */
  producer(options: ProducerOptions = {}): Producer {
    return new Producer(this.http, this.clusterPath, this.topicPartitions, options);
  }

  /** A consumer in `group` reading `topics`, connected at once. */
  consumer<V = unknown>(options: ConsumerOptions): Consumer<V> {
    return new Consumer<V>(this.http, this.clusterPath, { WebSocket: this.options.WebSocket, fetch: this.options.fetch, compressedFrames: this.options.compressedResponses }, options);
  }

  /** One stateless fetch of `partition` from `offset` (inclusive), without a group: the stored record batches, decoded in the client (the CLI's consume without --group and the console's message browser use it). */
  async fetch(topic: string, partition: number, offset: number, options: FetchOptions = {}): Promise<Fetched> {
    return fetchRecords(this.http, await this.clusterPath(), topic, partition, offset, options);
  }

  admin(): Admin {
    return new Admin(this.http, this.clusterPath);
  }

  /** `/v3/clusters/{id}`, asked once. */
  private readonly clusterPath = (): Promise<string> => {
    if (this.clusterPathPromise === null) {
      const asked = this.http.json<{ data: { cluster_id: string }[] }>({ path: "/v3/clusters" }).then((body) => {
        const id = body.data[0]?.cluster_id;
        if (id === undefined) throw new RunnelError(404, "the server lists no cluster");
        return `/v3/clusters/${seg(id)}`;
      });
      this.clusterPathPromise = asked;
      asked.catch(() => {
        if (this.clusterPathPromise === asked) this.clusterPathPromise = null;
      });
    }
    return this.clusterPathPromise;
  };
}
