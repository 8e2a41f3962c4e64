/** The overview: brokers, topics (with their current rates) and throughput over the last minutes. */
import { ErrorBox } from "./error-box";
import { useLoad } from "./hooks";
import { href } from "./router";
import type { Session } from "./session";
import { ThroughputChart, type ThroughputState, useThroughput } from "./throughput";
import { formatCount, formatRate, Page, Section, Table } from "./ui";

export function OverviewPage({ session }: { session: Session }) {
  const throughput = useThroughput(session);
  return (
    <Page title="Overview">
      <Section title="Throughput">
        <ThroughputChart state={throughput} />
      </Section>
      <div class="columns">
        <Brokers session={session} />
        <TopicRates session={session} throughput={throughput} />
      </div>
    </Page>
  );
}

function Brokers({ session }: { session: Session }) {
  const brokers = useLoad(async () => (await session.admin.cluster()).brokers, [session]);
  return (
    <Section title="Brokers">
      <ErrorBox error={brokers.error} />
      <Table label="Brokers" head={["Id", "Name", "Location hint", "Jurisdiction"]}>
        {(brokers.data ?? []).map((b) => (
          <tr key={b.broker_id}>
            <td>{b.broker_id}</td>
            <td>{b.name ?? "–"}</td>
            <td>{b.location_hint ?? "–"}</td>
            <td>{b.jurisdiction ?? "–"}</td>
          </tr>
        ))}
      </Table>
    </Section>
  );
}

function TopicRates({ session, throughput }: { session: Session; throughput: ThroughputState }) {
  const topics = useLoad(() => session.admin.listTopics(), [session], 10_000);
  const { latest } = throughput;
  const list = (topics.data ?? []).slice().sort((a, b) => String(a.topic_name).localeCompare(String(b.topic_name)));
  const partitions = list.reduce((n, t) => n + (t.partitions_count as number), 0);
  return (
    <Section title="Topics">
      <p>
        {formatCount(list.length)} topic{list.length === 1 ? "" : "s"}, {formatCount(partitions)} partition{partitions === 1 ? "" : "s"}.{" "}
        <a href={href.topics()}>Create or manage topics</a>
      </p>
      <ErrorBox error={topics.error} />
      <Table label="Topics and their rates" head={["Topic", "Partitions", "Replication", "In", "Out"]}>
        {list.map((t) => {
          const rate = latest?.topics.get(t.topic_name);
          return (
            <tr key={t.topic_name}>
              <td>
                <a href={href.topic(t.topic_name)}>{t.topic_name}</a>
              </td>
              <td>{t.partitions_count}</td>
              <td>{t.replication_factor}</td>
              <td>{rate === undefined ? "–" : formatRate(rate.in)}</td>
              <td>{rate === undefined ? "–" : formatRate(rate.out)}</td>
            </tr>
          );
        })}
      </Table>
    </Section>
  );
}
