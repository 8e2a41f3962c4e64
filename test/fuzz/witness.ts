// The witness topic of the fuzz suites: its offsets must not move when a
// request is refused, and it must still take and give records afterwards.
import { expect } from "vitest";
import { call, V3 } from "../helpers";

export const WITNESS = "fz-witness";

/** Each partition's high watermark and log end offset. */
export async function marks(topic = WITNESS): Promise<string> {
  const res = await call("GET", `${V3}/topics/${topic}/partitions`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.map((p: { partition_id: number; high_watermark: number; log_end_offset: number }) => `${p.partition_id}:${p.high_watermark}/${p.log_end_offset}`).join(" ");
}

/** A produce and a fetch on `topic` work: the objects behind it still answer. */
export async function expectAlive(topic = WITNESS): Promise<void> {
  const put = await call("POST", `${V3}/topics/${topic}/records`, { partition_id: 0, value: { type: "STRING", data: "alive" } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const got = await call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=${put.body.offset}&format=string`);
  expect(got.status, JSON.stringify(got.body)).toBe(200);
  expect(got.body.records[0]).toMatchObject({ offset: put.body.offset, value: "alive" });
  expect((await call("GET", "/v3/clusters")).status).toBe(200);
}

/** Races `promise` against `ms`; rejects naming `what` when it takes longer. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
