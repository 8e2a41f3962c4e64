// The soak's history checker (scripts/soak/checker.mjs) against histories
// with planted bugs: each property holds on a sound history and fails on
// one doctored the way the bug it guards against would leave it.
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module of the soak script, without types
import { checkHistory } from "../../scripts/soak/checker.mjs";

type Event = Record<string, unknown> & { type: string };

/** A sound history: two producers, a consumer, polled offsets and two races, with the final log that matches. */
function sound(): Event[] {
  const ack = (producer: string, seq: number, partition: number, offset: number) =>
    ({ type: "produce.ack", workload: "w", producer, idempotent: true, topic: "t", partition, offset, id: `${producer}-${seq}`, seq });
  const read = (partition: number, offset: number, id: string) => ({ type: "log.read", topic: "t", partition, offset, id });
  return [
    ack("p1", 0, 0, 0),
    ack("p2", 0, 0, 1),
    ack("p1", 1, 0, 2),
    { type: "produce.unknown", workload: "w", producer: "p2", idempotent: true, topic: "t", partition: 1, id: "p2-1" },
    ack("p1", 2, 1, 1),
    { type: "consume", workload: "c", consumer: "c1", group: "g", topic: "t", partition: 0, offset: 0, id: "p1-0", batch: 1 },
    { type: "consume", workload: "c", consumer: "c1", group: "g", topic: "t", partition: 0, offset: 1, id: "p2-0", batch: 1 },
    { type: "offsets.observed", group: "g", topic: "t", partition: 0, offset: 2, poll: 1 },
    { type: "offsets.observed", group: "g", topic: "t", partition: 0, offset: 2, poll: 2 },
    { type: "offsets.observed", group: "g", topic: "t", partition: 0, offset: 3, poll: 3 },
    { type: "cond.result", race: 1, writer: "a", topic: "t", partition: 2, expected: 0, outcome: "won", offset: 0, id: "r1-a" },
    { type: "cond.result", race: 1, writer: "b", topic: "t", partition: 2, expected: 0, outcome: "refused", logEndOffset: 1, id: "r1-b" },
    { type: "cond.result", race: 2, writer: "a", topic: "t", partition: 2, expected: 1, outcome: "unknown", id: "r2-a" },
    { type: "cond.result", race: 2, writer: "b", topic: "t", partition: 2, expected: 1, outcome: "won", offset: 1, id: "r2-b" },
    read(0, 0, "p1-0"),
    read(0, 1, "p2-0"),
    read(0, 2, "p1-1"),
    read(1, 0, "p2-1"),
    read(1, 1, "p1-2"),
    read(2, 0, "r1-a"),
    read(2, 1, "r2-b"),
  ];
}

/** The violations of one property. */
const violations = (events: Event[], property: string): string[] => checkHistory(events)[property];

const isRead = (partition: number, offset: number) => (e: Event) => e.type === "log.read" && e.partition === partition && e.offset === offset;

describe("the soak's history checker", () => {
  it("finds nothing wrong with a sound history", () => {
    for (const [name, found] of Object.entries(checkHistory(sound()) as Record<string, string[]>)) expect(found, name).toEqual([]);
  });

  it("catches an acknowledged record the log lost (an offset skipped)", () => {
    const doctored = sound().filter((e) => !isRead(0, 2)(e));
    expect(violations(doctored, "no-lost-acknowledged")).toEqual(["p1's acknowledged record p1-1 at t/0@2 is missing from the log"]);
  });

  it("catches an idempotent producer's record in the log twice, acknowledged or not", () => {
    const doctored = [...sound(), { type: "log.read", topic: "t", partition: 1, offset: 2, id: "p2-1" }];
    expect(violations(doctored, "no-idempotent-duplicates")).toEqual(["p2's record p2-1 is in the log 2 times: t/1@0, t/1@2"]);
  });

  it("catches records out of order: in a producer's acknowledgements and in a consumer's batch", () => {
    const swapped = sound().map((e) => (e.type === "produce.ack" && e.id === "p1-1" ? { ...e, offset: 0 } : e.type === "produce.ack" && e.id === "p1-0" ? { ...e, offset: 2 } : e));
    const logSwapped = swapped.map((e) => (isRead(0, 0)(e) ? { ...e, id: "p1-1" } : isRead(0, 2)(e) ? { ...e, id: "p1-0" } : e));
    expect(violations(logSwapped, "partition-order")).toContain("p1 sent p1-1 after p1-0, but it got offset 0 at t/0, not after 2");
    const batchBack = [...sound(), { type: "consume", workload: "c", consumer: "c1", group: "g", topic: "t", partition: 0, offset: 0, id: "p1-0", batch: 1 }];
    expect(violations(batchBack, "partition-order")).toEqual(["c1 got t/0@0 after @1 in one batch"]);
  });

  it("catches a committed offset that moved backwards", () => {
    const doctored = sound().map((e) => (e.type === "offsets.observed" && e.poll === 3 ? { ...e, offset: 1 } : e));
    expect(violations(doctored, "committed-offsets-monotonic")).toEqual(["group g's committed offset of t/0 moved back from 2 (poll 2) to 1 (poll 3)"]);
  });

  it("catches two racing conditional appends that both won", () => {
    const doctored = sound().map((e) => (e.type === "cond.result" && e.race === 1 && e.writer === "b" ? { ...e, outcome: "won", offset: 1 } : e));
    expect(violations(doctored, "one-conditional-winner")).toEqual(expect.arrayContaining([expect.stringMatching(/^race 1: 2 writers were told they won/)]));
    const bothInLog = [...sound(), { type: "log.read", topic: "t", partition: 2, offset: 2, id: "r1-b" }];
    expect(violations(bothInLog, "one-conditional-winner")).toEqual(["race 1: the log holds the records of 2 writers (a, b)", "race 1: b was refused, yet its record is in the log"]);
    const noneWon = sound().map((e) => (e.type === "cond.result" && e.race === 1 ? { ...e, outcome: "refused", logEndOffset: 0 } : e));
    expect(violations(noneWon, "one-conditional-winner")).toContain("race 1: the log ended at the expected offset 0, yet every writer was refused");
  });
});
