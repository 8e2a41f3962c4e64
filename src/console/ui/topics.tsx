/** Topics: the list, and a form to create one (the API validates it; its refusal is shown as written). */
import { useState } from "preact/hooks";
import { ErrorBox } from "./error-box";
import { useAction, useLoad } from "./hooks";
import { href, navigate } from "./router";
import type { Session } from "./session";
import { Field, onSubmit, Page, Section, Table } from "./ui";

export function TopicsPage({ session }: { session: Session }) {
  const topics = useLoad(() => session.admin.listTopics(), [session]);
  const list = (topics.data ?? []).slice().sort((a, b) => String(a.topic_name).localeCompare(String(b.topic_name)));
  return (
    <Page title="Topics">
      <CreateTopic session={session} />
      <Section
        title="All topics"
        actions={
          <button type="button" class="quiet" onClick={topics.reload}>
            Refresh
          </button>
        }
      >
        <ErrorBox error={topics.error} />
        {topics.data !== undefined && list.length === 0 ? <p>No topics yet.</p> : null}
        <Table label="Topics" head={["Topic", "Partitions", "Replication factor", "Messages"]}>
          {list.map((t) => (
            <tr key={t.topic_name}>
              <td>
                <a href={href.topic(t.topic_name)}>{t.topic_name}</a>
              </td>
              <td>{t.partitions_count}</td>
              <td>{t.replication_factor}</td>
              <td>
                <a href={href.messages(t.topic_name)} aria-label={`Browse messages of ${t.topic_name}`}>
                  Browse
                </a>
              </td>
            </tr>
          ))}
        </Table>
      </Section>
    </Page>
  );
}

/** Numbers as typed, or undefined when the field is empty (the API then uses its default). */
function optionalInt(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

function CreateTopic({ session }: { session: Session }) {
  const [name, setName] = useState("");
  const [partitions, setPartitions] = useState("1");
  const [replication, setReplication] = useState("");
  const create = useAction(() =>
    session.admin.createTopic(name.trim(), { partitions: optionalInt(partitions) ?? 1, replicationFactor: optionalInt(replication) }),
  );
  const submit = async () => {
    if (await create.run()) navigate(href.topic(name.trim()));
  };
  return (
    <Section title="Create a topic">
      <form class="inline-form" onSubmit={onSubmit(submit)}>
        <Field label="Name" hint="letters, digits, . _ - (up to 249)">
          <input name="topic_name" value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </Field>
        <Field label="Partitions">
          <input name="partitions_count" type="number" value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
        </Field>
        <Field label="Replication factor" hint="empty: the server's default">
          <input name="replication_factor" type="number" value={replication} onInput={(e) => setReplication(e.currentTarget.value)} />
        </Field>
        <div class="row">
          <button type="submit" class="primary" disabled={create.busy}>
            Create topic
          </button>
        </div>
      </form>
      <ErrorBox error={create.error} />
    </Section>
  );
}
