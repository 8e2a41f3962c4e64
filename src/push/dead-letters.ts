/**
 * Dead letters (API.md): a batch its target refused 1 + `max_retries`
 * times — or a record the subscription's format cannot show — goes to the
 * subscription's `dead_letter_topic`, record by record with its key,
 * value, headers and timestamp, plus the headers `runnel-dlq-topic`,
 * `-partition`, `-offset` and `-error` (UTF-8 text, numbers in decimal).
 * They are produced as any records are (partitioned by key, `acks=all`,
 * all or nothing), as the subscription's principal, who must be allowed
 * to WRITE the dead-letter topic.
 */
import { accessState } from "../access/access-cache";
import { notAuthorized } from "../access/acl";
import { authMode } from "../access/authenticate";
import type { Env } from "../env";
import { assert, failure, isFailure, type Failure } from "../errors";
import { decodeBatch } from "../fetch/fetcher";
import { produce, type Entry } from "../produce/produce-run";
import type { Header } from "../record/record-batch";
import { settle } from "../rpc/call";

const utf8 = new TextEncoder();

/** What goes to the dead letters: records [from, next) of `topic`'s `partition`, found in `stored`, and why. */
export interface DeadLetters {
  topic: string;
  partition: number;
  from: number;
  next: number;
  stored: Uint8Array[];
  error: string;
}

/** Produces the dead letters to `deadLetterTopic` as `principal`; how many records went, or why none did. */
export async function sendDeadLetters(env: Env, principal: string, deadLetterTopic: string, d: DeadLetters): Promise<{ ok: true; records: number } | Failure> {
  if (authMode(env) === "on" && !(await accessState(env)).allowed(principal, "TOPIC", deadLetterTopic, "WRITE")) {
    return notAuthorized(principal, "WRITE", "TOPIC", deadLetterTopic);
  }
  const entries: Entry[] = [];
  for (const stored of d.stored) {
    for (const r of await decodeBatch(stored)) {
      if (r.offset < d.from || r.offset >= d.next) continue;
      const headers: Header[] = [...r.headers, header("runnel-dlq-topic", d.topic), header("runnel-dlq-partition", String(d.partition)), header("runnel-dlq-offset", String(r.offset)), header("runnel-dlq-error", d.error)];
      entries.push({ ok: true, value: { partition: undefined, record: { key: r.key, value: r.value, headers, timestampMs: r.timestampMs }, timestampGiven: true } });
    }
  }
  assert(entries.length === d.next - d.from, `dead letters: the batches read hold ${entries.length} of the records [${d.from}, ${d.next}) of ${d.topic}/${d.partition}`);
  const produced = await settle("sendDeadLetters", () => produce(env, { topicName: deadLetterTopic, entries, requestTimeMs: Date.now(), atomic: true, acks: -1, background: () => {} }));
  if (isFailure(produced)) return produced;
  const refused = produced.outcomes.find((o) => !o.ok);
  if (refused !== undefined && !refused.ok) return failure(refused.error_code, `the dead-letter topic '${deadLetterTopic}' refused the records: ${refused.message}`, refused.error_name ?? null);
  return { ok: true, records: entries.length };
}

function header(name: string, value: string): Header {
  return { name, value: utf8.encode(value) };
}
