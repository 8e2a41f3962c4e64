/**
 * Push subscriptions: the list with each one's state, and one
 * subscription — its target and settings, its state and last error, the
 * lag of every partition (its consumer group's), pause and resume, and
 * links to its group and its dead-letter topic.
 */
import { ErrorBox } from "./error-box";
import { useAction, useLoad } from "./hooks";
import { href } from "./router";
import type { Session } from "./session";
import { formatCount, Page, Section, Table } from "./ui";

type Row = Record<string, any>;

function targetText(s: Row): string {
  return s.target?.type === "webhook" ? `webhook ${s.target.url}` : `Worker ${s.target?.service}`;
}

function State({ state }: { state: string }) {
  return state === "active" ? <span>active</span> : <span class="warn-text">{state}</span>;
}

export function SubscriptionsPage({ session }: { session: Session }) {
  const subs = useLoad(() => session.admin.listSubscriptions(), [session], 5_000);
  const list = (subs.data ?? []).slice().sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return (
    <Page title="Subscriptions">
      <Section title="Push subscriptions">
        <ErrorBox error={subs.error} />
        {subs.data !== undefined && list.length === 0 ? <p>No subscriptions yet: POST …/subscriptions pushes a topic's records to a webhook or a Worker.</p> : null}
        <Table label="Push subscriptions" head={["Subscription", "Topics", "Target", "State", "Last error"]}>
          {list.map((s) => (
            <tr key={s.name}>
              <td>
                <a href={href.subscription(s.name)}>{s.name}</a>
              </td>
              <td>{(s.topics as string[]).join(", ")}</td>
              <td>{targetText(s)}</td>
              <td>
                <State state={s.state} />
              </td>
              <td>{s.last_error?.message ?? <span class="muted">none</span>}</td>
            </tr>
          ))}
        </Table>
      </Section>
    </Page>
  );
}

export function SubscriptionPage({ session, name }: { session: Session; name: string }) {
  const sub = useLoad(() => session.admin.describeSubscription(name), [session, name], 5_000);
  const change = useAction(async (paused: boolean) => {
    await session.admin.setSubscriptionPaused(name, paused);
    sub.reload();
  });
  const s = sub.data;
  const lead =
    s === undefined ? null : (
      <p class="lead">
        <State state={s.state} />: {(s.topics as string[]).join(", ")} to {targetText(s)}, as {s.created_by}. Its offsets are those of group{" "}
        <a href={href.group(s.name)}>{s.name}</a>.
      </p>
    );
  const actions =
    s === undefined ? null : (
      <button type="button" disabled={change.busy} onClick={() => change.run(s.state !== "paused")}>
        {s.state === "paused" ? "Resume" : s.state === "stalled" ? "Resume (retry stalled partitions)" : "Pause"}
      </button>
    );
  return (
    <Page title={`Subscription ${name}`} lead={lead}>
      <ErrorBox error={sub.error ?? change.error} />
      {s === undefined ? null : (
        <>
          <Section title="State" actions={actions}>
            <LastError error={s.last_error} />
            <Settings s={s} />
          </Section>
          <Section title="Lag per partition">
            <Partitions rows={s.partitions} />
          </Section>
        </>
      )}
    </Page>
  );
}

function LastError({ error }: { error: Row | null }) {
  if (error === null) return <p>No error so far.</p>;
  return (
    <p>
      Last error, {error.at}, at <a href={href.messages(error.topic, error.partition, error.offset ?? undefined)}>{`${error.topic}/${error.partition}`}</a>
      {error.offset === null ? "" : ` offset ${error.offset}`}: <span class="warn-text">{error.message}</span>
    </p>
  );
}

function Settings({ s }: { s: Row }) {
  const dlq = s.dead_letter_topic as string | null;
  const rows: [string, unknown][] = [
    ["Format", s.format],
    ["Batches", `up to ${s.batch_records} records, ${formatCount(s.batch_bytes)} bytes; a partial batch waits ${s.max_wait_ms} ms`],
    ["Retries", `${s.max_retries}, the first after ${s.retry_backoff_ms} ms, doubling`],
    ["Dead-letter topic", dlq === null ? <span class="muted">none: a partition stalls</span> : <a href={href.topic(dlq)}>{dlq}</a>],
    ["Delivery delay", `${s.delivery_delay_ms} ms`],
    ["Starts at", `${s.start}, ${s.isolation}`],
  ];
  return (
    <Table label="Settings" head={["Setting", "Value"]}>
      {rows.map(([k, v]) => (
        <tr key={k}>
          <td>{k}</td>
          <td>{v as string}</td>
        </tr>
      ))}
    </Table>
  );
}

function Partitions({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return <p>No partitions to show.</p>;
  return (
    <Table label="Committed offsets, lag and state per partition" head={["Topic", "Partition", "Committed offset", "Lag", "State"]}>
      {rows.map((r) => (
        <tr key={`${r.topic_name}/${r.partition_id}`}>
          <td>
            <a href={href.topic(r.topic_name)}>{r.topic_name}</a>
          </td>
          <td class="num">{r.partition_id}</td>
          <td class="num">{r.committed_offset === null ? <span class="muted">none</span> : formatCount(r.committed_offset)}</td>
          <td class="num">{r.lag === null ? "–" : formatCount(r.lag)}</td>
          <td>
            <State state={r.state} />
          </td>
        </tr>
      ))}
    </Table>
  );
}
