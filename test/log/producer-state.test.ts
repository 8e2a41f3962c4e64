// Kafka's sequence rules as pure functions: what the leader decides for each idempotent append.
import { describe, expect, it } from "vitest";
import { checkSequence, idempotentAppendOf, nextSequence } from "../../src/log/producer-state";
import type { ProducerKeyRow } from "../../src/replication/types";
import { idempotentBatch } from "../replication/idempotence-helpers";

const MAX = 2 ** 31 - 1;

/** A remembered batch of producer 7 at `baseOffset`. */
function row(epoch: number, first: number, last: number, baseOffset: number): ProducerKeyRow {
  const producer = { producerId: 7, producerEpoch: epoch, firstSequence: first, lastSequence: last };
  return { key: "", fingerprint: "", baseOffset, recordCount: last - first + 1, requestTimeMs: 5, expiresAtMs: 0, producer };
}

function append(epoch: number, first: number, count: number) {
  const a = idempotentAppendOf([idempotentBatch(7, epoch, first, Array.from({ length: count }, (_, i) => `v${i}`))]);
  if (a === null || "ok" in a) throw new Error("not an idempotent append");
  return a;
}

describe("sequence checks", () => {
  it("wrap from 2^31 - 1 to 0, as Kafka's do", () => {
    expect(nextSequence(MAX)).toBe(0);
    expect(nextSequence(41)).toBe(42);
    const wrapped = append(0, MAX - 1, 3);
    expect(wrapped.batches[0]).toMatchObject({ firstSequence: MAX - 1, lastSequence: 0, recordCount: 3 }) // MAX - 1, MAX, 0;
    expect(checkSequence(append(0, 0, 1), [row(0, MAX - 4, MAX, 10)])).toEqual({ kind: "append" });
  });

  it("find a duplicate among the remembered batches, not only the newest", () => {
    const remembered = [row(0, 6, 8, 20), row(0, 3, 5, 17), row(0, 0, 2, 14)];
    expect(checkSequence(append(0, 3, 3), remembered)).toEqual({ kind: "duplicate", baseOffset: 17, lastOffset: 19, appendedAtMs: 5 });
    expect(checkSequence(append(0, 9, 1), remembered)).toEqual({ kind: "append" });
    expect(checkSequence(append(0, 3, 2), remembered)).toMatchObject({ ok: false, error_name: "OUT_OF_ORDER_SEQUENCE_NUMBER" });
  });

  it("refuse batches that do not make one producer's contiguous run", () => {
    const plain = idempotentBatch(-1, -1, -1, ["p"]);
    expect(idempotentAppendOf([plain, plain])).toBeNull();
    expect(idempotentAppendOf([plain, idempotentBatch(7, 0, 0, ["x"])])).toMatchObject({ ok: false, error_name: "INVALID_RECORD" });
    expect(idempotentAppendOf([idempotentBatch(7, 0, 0, ["x"]), idempotentBatch(7, 1, 1, ["y"])])).toMatchObject({ ok: false, error_name: "INVALID_RECORD" });
    expect(idempotentAppendOf([idempotentBatch(7, 0, 0, ["x"]), idempotentBatch(7, 0, 2, ["y"])])).toMatchObject({ ok: false, error_name: "OUT_OF_ORDER_SEQUENCE_NUMBER" });
    expect(idempotentAppendOf([idempotentBatch(7, -1, 0, ["x"])])).toMatchObject({ ok: false, error_name: "INVALID_RECORD" });
  });
});
