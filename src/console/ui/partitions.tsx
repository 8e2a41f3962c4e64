/**
/**
 * A topic's partitions: leader, replicas (in sync or not), ISR, offsets
 * (log start, high watermark, log end), tiered storage (where the
 * leader's local copy starts, the bytes held locally and in the bucket)
 * and, for a compacted topic, the leader's log cleaner (cleaned up to,
 * dirty ratio, last pass).
 */
import { href } from "./router";
import { formatBytes } from "./sizes";
import { formatCount, formatTime, Table } from "./ui";

type Row = Record<string, any>;

function brokerIds(list: unknown): number[] {
  return Array.isArray(list) ? list.map((r: Row) => r.broker_id as number) : [];
}

export function PartitionsTable({ topic, partitions }: { topic: string; partitions: Row[] }) {
  const compacted = partitions.some((p) => p.cleaner !== null && p.cleaner !== undefined);
  const cleanerHead = compacted ? ["Cleaned up to", "Dirty ratio", "Last cleaned"] : [];
  const head = ["Partition", "Leader", "Replicas", "In-sync replicas", "Log start offset", "High watermark", "Log end offset", "Local log start", "Local size", "In the bucket", ...cleanerHead, "Messages"];
  return (
    <Table label={`Partitions of ${topic}`} head={head}>
      {partitions.map((p) => {
        const isr = brokerIds(p.isr);
        const replicas = brokerIds(p.replicas);
        const outOfSync = replicas.filter((r) => !isr.includes(r));
        return (
          <tr key={p.partition_id}>
            <th scope="row">{p.partition_id}</th>
            <td>{p.leader?.broker_id ?? <span class="warn-text">none</span>}</td>
            <td>{replicas.join(", ")}</td>
            <td>
              {isr.join(", ")}
              {outOfSync.length > 0 ? <span class="warn-text"> (not in sync: {outOfSync.join(", ")})</span> : null}
            </td>
            <td class="num">{formatCount(p.log_start_offset)}</td>
            <td class="num">{formatCount(p.high_watermark)}</td>
            <td class="num">{formatCount(p.log_end_offset)}</td>
            <td class="num">{formatCount(p.local_log_start_offset)}</td>
            <td class="num">{formatBytes(p.local_size_bytes)}</td>
            <td class="num">{p.remote_segments === null || p.remote_segments === undefined ? "–" : `${formatBytes(p.remote_size_bytes)} (${formatCount(p.remote_segments)} segments)`}</td>
            {compacted ? <CleanerCells cleaner={p.cleaner ?? null} /> : null}
            <td>
              <a href={href.messages(topic, p.partition_id)} aria-label={`Browse partition ${p.partition_id}`}>
                Browse
              </a>
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

/** The leader's cleaner: its checkpoint (the first offset not yet cleaned), dirty ratio, and when its last pass ended. */
function CleanerCells({ cleaner }: { cleaner: Row | null }) {
  if (cleaner === null) return <td colSpan={3}>–</td>;
  return (
    <>
      <td class="num">{formatCount(cleaner.last_cleaned_offset)}</td>
      <td class="num">{`${Math.round(Number(cleaner.dirty_ratio) * 100)}%`}</td>
      <td>{cleaner.last_run === null ? "never" : <time dateTime={new Date(cleaner.last_run).toISOString()}>{formatTime(cleaner.last_run)}</time>}</td>
    </>
  );
}
