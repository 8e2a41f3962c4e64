// The soak's history checker: pure functions from a history (the events
// the soak recorded, see docs/soak.md) to the violations of each property.
// Records are known by their `id` (every value the soak writes carries a
// unique one); the final read of every partition (`log.read`) is the
// truth the rest is checked against.
//
// Events read here:
//   produce.ack     {workload, producer, idempotent, topic, partition, offset, id, seq}
//   produce.unknown {workload, producer, idempotent, topic, partition, id}  (may or may not be in the log)
//   log.read        {topic, partition, offset, id}  (the final read, below the high watermark)
//   consume         {workload, consumer, group, topic, partition, offset, id, batch}
//   offsets.observed {group, topic, partition, offset, poll}  (committed offsets, polled in order)
//   cond.result     {race, writer, topic, partition, expected, outcome: won|refused|unknown, offset?, logEndOffset?, id}
// Other events (faults, notes) are for people.
//
// More properties plug in through `checkHistory`'s second argument:
// read_committed comes with transactional workloads (READ_COMMITTED_HOOK).

/** The property name transactional workloads' read_committed check is to take (events txn.* and consume with isolation). */
export const READ_COMMITTED_HOOK = "read-committed";

const tp = (e) => `${e.topic}/${e.partition}`;

/** The final log: per partition, offset → id; and where each id stands. */
export function logIndex(events) {
  const byPartition = new Map();
  const places = new Map();
  for (const e of events) {
    if (e.type !== "log.read") continue;
    let offsets = byPartition.get(tp(e));
    if (offsets === undefined) byPartition.set(tp(e), (offsets = new Map()));
    offsets.set(e.offset, e.id);
    if (e.id === null || e.id === undefined) continue;
    const list = places.get(e.id) ?? [];
    list.push(`${tp(e)}@${e.offset}`);
    places.set(e.id, list);
  }
  return { byPartition, places };
}

/** Every acknowledged record is in the final log, at the offset it was acknowledged with. */
export function noLostAcknowledged(events, log = logIndex(events)) {
  const out = [];
  for (const e of events) {
    if (e.type !== "produce.ack" || e.offset < 0) continue;
    const held = log.byPartition.get(tp(e))?.get(e.offset);
    if (held === e.id) continue;
    out.push(`${e.producer}'s acknowledged record ${e.id} at ${tp(e)}@${e.offset} is ${held === undefined ? "missing from the log" : `not there: the log holds ${held}`}`);
  }
  return out;
}

/** No record of an idempotent producer is in the log twice (acknowledged or not). */
export function noIdempotentDuplicates(events, log = logIndex(events)) {
  const out = [];
  const seen = new Set();
  for (const e of events) {
    if ((e.type !== "produce.ack" && e.type !== "produce.unknown") || !e.idempotent || seen.has(e.id)) continue;
    seen.add(e.id);
    const places = log.places.get(e.id) ?? [];
    if (places.length > 1) out.push(`${e.producer}'s record ${e.id} is in the log ${places.length} times: ${places.join(", ")}`);
  }
  return out;
}

/**
 * Per partition, order holds: the final log's offsets only grow; each
 * producer's acknowledged records (in the order it sent them) have growing
 * offsets; each batch a consumer got has growing offsets, and each record
 * it got is the one the log holds at that offset.
 */
export function partitionOrder(events, log = logIndex(events)) {
  const out = [];
  const lastRead = new Map();
  const lastAck = new Map();
  const lastInBatch = new Map();
  for (const e of events) {
    if (e.type === "log.read") {
      const before = lastRead.get(tp(e));
      if (before !== undefined && e.offset <= before) out.push(`the log of ${tp(e)} goes from offset ${before} to ${e.offset}`);
      lastRead.set(tp(e), e.offset);
    } else if (e.type === "produce.ack" && e.offset >= 0) {
      const key = `${e.producer} ${tp(e)}`;
      const before = lastAck.get(key);
      if (before !== undefined && e.offset <= before.offset) out.push(`${e.producer} sent ${e.id} after ${before.id}, but it got offset ${e.offset} at ${tp(e)}, not after ${before.offset}`);
      lastAck.set(key, { offset: e.offset, id: e.id });
    } else if (e.type === "consume") {
      const key = `${e.consumer} ${e.batch} ${tp(e)}`;
      const before = lastInBatch.get(key);
      if (before !== undefined && e.offset <= before) out.push(`${e.consumer} got ${tp(e)}@${e.offset} after @${before} in one batch`);
      lastInBatch.set(key, e.offset);
      const held = log.byPartition.get(tp(e))?.get(e.offset);
      if (held !== e.id) out.push(`${e.consumer} got ${e.id} at ${tp(e)}@${e.offset}, where the log holds ${held ?? "nothing"}`);
    }
  }
  return out;
}

/** A group's committed offset of a partition, as polled over time, never moves backwards. */
export function committedOffsetsMonotonic(events) {
  const out = [];
  const last = new Map();
  const polls = events.filter((e) => e.type === "offsets.observed").sort((a, b) => a.poll - b.poll);
  for (const e of polls) {
    const key = `${e.group} ${tp(e)}`;
    const before = last.get(key);
    if (before !== undefined && e.offset < before.offset) out.push(`group ${e.group}'s committed offset of ${tp(e)} moved back from ${before.offset} (poll ${before.poll}) to ${e.offset} (poll ${e.poll})`);
    last.set(key, e);
  }
  return out;
}

/**
 * Of the writers racing to append at one expected offset, exactly one
 * wins: at most one is answered 200; the log holds at most one racer's
 * record, the winner's at its offset; a refused racer's record is not in
 * it; and when every racer was answered and the log end was the expected
 * offset, one of them won.
 */
export function oneConditionalWinner(events, log = logIndex(events)) {
  const out = [];
  const races = new Map();
  for (const e of events) {
    if (e.type !== "cond.result") continue;
    const list = races.get(e.race) ?? [];
    list.push(e);
    races.set(e.race, list);
  }
  for (const [race, racers] of races) {
    const won = racers.filter((r) => r.outcome === "won");
    if (won.length > 1) out.push(`race ${race}: ${won.length} writers were told they won (${won.map((r) => `${r.writer}@${r.offset}`).join(", ")})`);
    const inLog = racers.filter((r) => (log.places.get(r.id) ?? []).length > 0);
    if (inLog.length > 1) out.push(`race ${race}: the log holds the records of ${inLog.length} writers (${inLog.map((r) => r.writer).join(", ")})`);
    for (const r of won) if (log.byPartition.get(tp(r))?.get(r.offset) !== r.id) out.push(`race ${race}: ${r.writer} won at ${tp(r)}@${r.offset}, but the log does not hold its record there`);
    for (const r of racers) if (r.outcome === "refused" && inLog.includes(r)) out.push(`race ${race}: ${r.writer} was refused, yet its record is in the log`);
    const all = racers.every((r) => r.outcome !== "unknown");
    if (all && won.length === 0 && racers.some((r) => r.logEndOffset === r.expected)) out.push(`race ${race}: the log ended at the expected offset ${racers[0].expected}, yet every writer was refused`);
  }
  return out;
}

/** The properties the soak checks, by name. */
export const PROPERTIES = {
  "no-lost-acknowledged": noLostAcknowledged,
  "no-idempotent-duplicates": noIdempotentDuplicates,
  "partition-order": partitionOrder,
  "committed-offsets-monotonic": committedOffsetsMonotonic,
  "one-conditional-winner": oneConditionalWinner,
};

/** Every property's violations (an empty list when it holds), by name; `extra` adds properties (see READ_COMMITTED_HOOK). */
export function checkHistory(events, extra = {}) {
  const log = logIndex(events);
  const results = {};
  for (const [name, check] of Object.entries({ ...PROPERTIES, ...extra })) results[name] = check(events, log);
  return results;
}
