/**
 * A topic's partitions: leader, replicas (in sync or not), ISR, offsets
 * (log start, high watermark, log end), and tiered storage: where the
 * leader's local copy starts, and the bytes held locally and in the bucket.
 */
import { href } from "./router";
import { formatBytes } from "./sizes";
import { formatCount, Table } from "./ui";

type Row = Record<string, any>;

function brokerIds(list: unknown): number[] {
  return Array.isArray(list) ? list.map((r: Row) => r.broker_id as number) : [];
}

export function PartitionsTable({ topic, partitions }: { topic: string; partitions: Row[] }) {
  const head = ["Partition", "Leader", "Replicas", "In-sync replicas", "Log start offset", "High watermark", "Log end offset", "Local log start", "Local size", "In the bucket", "Messages"];
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
