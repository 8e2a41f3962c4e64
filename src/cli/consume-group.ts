/** `runnel consume --group`: the client's group consumer, writing as it goes; commits on the way out. */
import type { Runnel } from "../client/runnel";
import type { TopicPartitionOffset } from "../client/consumer-state";
import type { Output, StartAt } from "./consume";

export async function consumeGroup(client: Runnel, topic: string, group: string, from: StartAt, exit: boolean, out: Output): Promise<void> {
  /** The high watermark of each partition when it was assigned: --exit stops once every owned one is read to there. */
  const ends = new Map<number, number>();
  const positions = new Map<number, number>();
  const admin = client.admin();
  const consumer = client.consumer({
    group,
    topics: [topic],
    format: "binary",
    autoOffsetReset: from.at === "beginning" ? "earliest" : "latest",
    onAssign: async (partitions: TopicPartitionOffset[]) => {
      for (const p of partitions) positions.set(p.partition, Math.max(p.offset, positions.get(p.partition) ?? -1));
      const offsets = exit || from.at === "offset" || from.at === "time" ? await admin.offsets(topic) : [];
      for (const p of partitions) {
        const o = offsets.find((x) => x.partition === p.partition);
        if (o !== undefined) ends.set(p.partition, o.latest);
        if (from.at === "offset" || from.at === "time") {
          const offset = from.at === "offset" ? Math.min(Math.max(from.offset, o?.earliest ?? 0), o?.latest ?? from.offset) : await admin.offsetForTime(topic, p.partition, from.timestampMs);
          positions.set(p.partition, offset);
          await consumer.seek({ topic, partition: p.partition, offset });
        }
      }
      if (exit && atEnd()) void consumer.close();
    },
  });
  const atEnd = () => consumer.assignment().length > 0 && consumer.assignment().every((p) => (positions.get(p.partition) ?? -1) >= (ends.get(p.partition) ?? Number.POSITIVE_INFINITY));
  const stop = () => void consumer.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    for await (const r of consumer) {
      await out.write([r]);
      positions.set(r.partition, r.offset + 1);
      if (out.full || (exit && atEnd())) break;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await consumer.close();
  }
}
