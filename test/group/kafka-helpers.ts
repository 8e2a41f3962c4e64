// Kafka members of a group through the Worker's …/kafka/… routes, as the
// front door calls them. The consumer-protocol bytes are made and read
// here by hand (not with the code under test).
import { call, V3, type Reply } from "../helpers";

export const kafkaPath = (group: string) => `${V3}/consumer-groups/${group}/kafka`;

/** A ConsumerProtocolSubscription (base64): version, topics, null user data, and for v1 owned partitions. */
export function subscription(topics: string[], version = 0, owned: [string, number[]][] = []): string {
  const parts: number[] = [];
  const int16 = (v: number) => parts.push((v >> 8) & 0xff, v & 0xff);
  const int32 = (v: number) => parts.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    int16(b.length);
    parts.push(...b);
  };
  int16(version);
  int32(topics.length);
  topics.forEach(str);
  int32(-1);
  if (version >= 1) {
    int32(owned.length);
    for (const [t, ps] of owned) {
      str(t);
      int32(ps.length);
      ps.forEach(int32);
    }
  }
  return btoa(String.fromCharCode(...parts));
}

/** Reads a ConsumerProtocolAssignment (base64) into "topic-partition" names, sorted. */
export function assigned(base64: string): string[] {
  const b = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  const view = new DataView(b.buffer);
  let at = 2; // version
  const out: string[] = [];
  const topics = view.getInt32(at);
  at += 4;
  for (let i = 0; i < topics; i++) {
    const n = view.getInt16(at);
    const topic = new TextDecoder().decode(b.subarray(at + 2, at + 2 + n));
    at += 2 + n;
    const count = view.getInt32(at);
    at += 4;
    for (let k = 0; k < count; k++, at += 4) out.push(`${topic}-${view.getInt32(at)}`);
  }
  if (view.getInt32(at) !== -1 || at + 4 !== b.length) throw new Error("assignment user data is not null, or bytes are left over");
  return out.sort();
}

export interface JoinOptions {
  memberId?: string;
  topics: string[];
  protocols?: string[];
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  clientId?: string;
  protocolType?: string;
  metadata?: string;
}

/** A JoinGroup (held until the group settles: start it without awaiting when others must rejoin first). */
export function join(group: string, o: JoinOptions): Promise<Reply> {
  const metadata = o.metadata ?? subscription(o.topics);
  return call("POST", `${kafkaPath(group)}/join`, {
    member_id: o.memberId ?? "",
    client_id: o.clientId ?? "kafka-test",
    client_host: "/127.0.0.1",
    session_timeout_ms: o.sessionTimeoutMs ?? 30_000,
    rebalance_timeout_ms: o.rebalanceTimeoutMs ?? 20_000,
    protocol_type: o.protocolType ?? "consumer",
    protocols: (o.protocols ?? ["range"]).map((name) => ({ name, metadata })),
  });
}

export const sync = (group: string, memberId: string, generation: number) => call("POST", `${kafkaPath(group)}/sync`, { member_id: memberId, generation_id: generation });

export const heartbeat = (group: string, memberId: string, generation: number) =>
  call("POST", `${kafkaPath(group)}/heartbeat`, { member_id: memberId, generation_id: generation });

export const leave = (group: string, ...memberIds: string[]) => call("POST", `${kafkaPath(group)}/leave`, { member_ids: memberIds });

export const commit = (group: string, memberId: string, generation: number, offsets: { topic: string; partition: number; offset: number; metadata?: string | null }[]) =>
  call("POST", `${kafkaPath(group)}/commit`, { member_id: memberId, generation_id: generation, offsets: offsets.map((o) => ({ metadata: null, ...o })) });

export const fetchOffsets = (group: string, topics: { topic: string; partitions: number[] }[] | null) => call("POST", `${kafkaPath(group)}/offsets`, { topics });

export const describeKafka = (group: string) => call("GET", kafkaPath(group));

/** Kafka's error name a refusal's message starts with. */
export const kafkaError = (r: Reply) => (typeof r.body?.message === "string" ? /^[A-Z_]+/.exec(r.body.message)?.[0] : undefined);

/** Joins and syncs one member that needs no one else to rejoin; returns its id, generation and partitions. */
export async function joinAndSync(group: string, o: JoinOptions): Promise<{ memberId: string; generation: number; partitions: string[] }> {
  const joined = await join(group, o);
  if (joined.status !== 200) throw new Error(`join: ${joined.status} ${JSON.stringify(joined.body)}`);
  const synced = await sync(group, joined.body.member_id, joined.body.generation_id);
  if (synced.status !== 200) throw new Error(`sync: ${synced.status} ${JSON.stringify(synced.body)}`);
  return { memberId: joined.body.member_id, generation: joined.body.generation_id, partitions: assigned(synced.body.assignment) };
}
