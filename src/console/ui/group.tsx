/**
 * A consumer group: its state and members with their assignments, the
 * lag of every partition (a chart and a table), and an offset reset
 * (only while the group has no live members: the API answers 40903
 * otherwise, shown as it comes).
 */
import { ErrorBox } from "./error-box";
import { useLoad } from "./hooks";
import { LagChart } from "./lag-chart";
import { ResetForm } from "./reset-form";
import { href } from "./router";
import type { Session } from "./session";
import { formatCount, Page, Section, Table } from "./ui";

type Row = Record<string, any>;

export function GroupPage({ session, group }: { session: Session; group: string }) {
  const described = useLoad(() => session.admin.describeGroup(group), [session, group], 5_000);
  const lags = useLoad(() => session.admin.lags(group), [session, group], 5_000);
  const g = described.data;
  const members: Row[] = Array.isArray(g?.consumers) ? g.consumers : [];
  const rows = (lags.data ?? []).slice().sort((a, b) => String(a.topic_name).localeCompare(String(b.topic_name)) || a.partition_id - b.partition_id);
  const reload = () => {
    described.reload();
    lags.reload();
  };
  const lead = g === undefined ? null : <p class="lead">State {g.state}, generation {g.generation ?? "–"}, {members.length} live member{members.length === 1 ? "" : "s"}.</p>;
  return (
    <Page title={`Group ${group}`} lead={lead}>
      <ErrorBox error={described.error} />
      <Section title="Members">
        {members.length === 0 ? <p>No live members.</p> : <Members members={members} />}
      </Section>
      <Section title="Lag per partition">
        <ErrorBox error={lags.error} />
        {rows.length === 0 ? <p>The group has no offsets and no subscriptions yet.</p> : <LagChart rows={rows} />}
        {rows.length === 0 ? null : <LagTable rows={rows} />}
      </Section>
      <Section title="Reset offsets">
        <ResetForm session={session} group={group} topics={[...new Set(rows.map((r) => r.topic_name as string))]} live={members.length} onReset={reload} />
      </Section>
    </Page>
  );
}

function Members({ members }: { members: Row[] }) {
  return (
    <Table label="Members and their partitions" head={["Member", "Client", "Assigned partitions"]}>
      {members.map((m) => (
        <tr key={m.consumer_id}>
          <td>{m.consumer_id}</td>
          <td>{m.client_id ?? "–"}</td>
          <td>
            {(Array.isArray(m.assignments) ? m.assignments : []).map((a: Row) => `${a.topic_name}/${a.partition_id}`).join(", ") || <span class="muted">none</span>}
          </td>
        </tr>
      ))}
    </Table>
  );
}

function LagTable({ rows }: { rows: Row[] }) {
  return (
    <Table label="Committed offsets and lag" head={["Topic", "Partition", "Committed offset", "High watermark", "Lag", "Member"]}>
      {rows.map((r) => (
        <tr key={`${r.topic_name}/${r.partition_id}`}>
          <td>
            <a href={href.topic(r.topic_name)}>{r.topic_name}</a>
          </td>
          <td class="num">{r.partition_id}</td>
          <td class="num">{r.current_offset === null ? <span class="muted">none</span> : formatCount(r.current_offset)}</td>
          <td class="num">{formatCount(r.log_end_offset)}</td>
          <td class="num">{formatCount(r.lag)}</td>
          <td>{r.consumer_id || <span class="muted">none</span>}</td>
        </tr>
      ))}
    </Table>
  );
}
