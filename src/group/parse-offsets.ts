/** Offsets to commit, as clients send them (HTTP bodies and WebSocket frames). */
import type { OffsetChange } from "./types";

/** `[{topic, partition, offset}]` from a frame or body, or null when malformed. */
export function parseOffsets(list: unknown): OffsetChange[] | null {
  if (!Array.isArray(list)) return null;
  const out: OffsetChange[] = [];
  for (const o of list as unknown[]) {
    if (typeof o !== "object" || o === null) return null;
    const { topic, partition, offset, metadata } = o as Record<string, unknown>;
    if (typeof topic !== "string" || typeof partition !== "number" || !Number.isInteger(partition) || typeof offset !== "number" || !Number.isInteger(offset)) return null;
    out.push({ topic, partition, offset, metadata: typeof metadata === "string" ? metadata : null });
  }
  return out;
}
