/**
 * A topic: its partitions (leader, replicas, ISR, offsets), its configs
 * (editable), a form to produce a message, more partitions, and delete.
 */
import { useState } from "preact/hooks";
import { ConfigsSection } from "./configs";
import { ErrorBox } from "./error-box";
import { useAction, useLoad } from "./hooks";
import { PartitionsTable } from "./partitions";
import { ProduceForm } from "./produce-form";
import { href, navigate } from "./router";
import type { Session } from "./session";
import { ConfirmButton, Done, Field, onSubmit, Page, Section } from "./ui";

export function TopicPage({ session, topic }: { session: Session; topic: string }) {
  const partitions = useLoad(() => session.admin.partitions(topic), [session, topic], 5_000);
  const described = useLoad(() => session.admin.describeTopic(topic), [session, topic]);
  const count = (partitions.data ?? []).length;
  const lead = (
    <p class="lead">
      {described.data === undefined ? null : `${described.data.partitions_count} partitions, replication factor ${described.data.replication_factor}. `}
      <a href={href.messages(topic)}>Browse messages</a>
    </p>
  );
  return (
    <Page title={`Topic ${topic}`} lead={lead}>
      <ErrorBox error={described.error} />
      <Section
        title="Partitions"
        actions={
          <button type="button" class="quiet" onClick={partitions.reload}>
            Refresh
          </button>
        }
      >
        <ErrorBox error={partitions.error} />
        <PartitionsTable topic={topic} partitions={partitions.data ?? []} />
      </Section>
      <div class="columns">
        <Section title="Produce a message">
          <ProduceForm session={session} topic={topic} partitions={count} onProduced={partitions.reload} />
        </Section>
        <ConfigsSection session={session} topic={topic} />
      </div>
      <Section title="Partitions and deletion">
        <MorePartitions
          session={session}
          topic={topic}
          current={count}
          onDone={() => {
            partitions.reload();
            described.reload();
          }}
        />
        <DeleteTopic session={session} topic={topic} />
      </Section>
    </Page>
  );
}

function MorePartitions({ session, topic, current, onDone }: { session: Session; topic: string; current: number; onDone: () => void }) {
  const [wanted, setWanted] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const raise = useAction(() => session.admin.setPartitions(topic, Number(wanted)));
  const submit = async () => {
    setDone(null);
    if (await raise.run()) {
      setDone(`The topic has ${wanted} partitions now.`);
      onDone();
    }
  };
  return (
    <form class="inline-form" onSubmit={onSubmit(submit)}>
      <Field label="Partitions count" hint={`now ${current}; it can only grow`}>
        <input name="partitions_count" type="number" value={wanted} onInput={(e) => setWanted(e.currentTarget.value)} />
      </Field>
      <div class="row">
        <button type="submit" disabled={raise.busy || wanted === ""}>
          Add partitions
        </button>
      </div>
      <ErrorBox error={raise.error} />
      <Done text={done} />
    </form>
  );
}

function DeleteTopic({ session, topic }: { session: Session; topic: string }) {
  const del = useAction(() => session.admin.deleteTopic(topic));
  return (
    <div class="danger-zone">
      <p>Deleting a topic deletes its data and the group offsets of it.</p>
      <ConfirmButton
        label="Delete topic"
        title={`Delete topic ${topic}?`}
        question={
          <>
            Every record of <strong>{topic}</strong> is deleted, and groups forget their offsets of it. This cannot be undone.
          </>
        }
        confirm="Delete"
        disabled={del.busy}
        onConfirm={async () => {
          if (await del.run()) navigate(href.topics());
        }}
      />
      <ErrorBox error={del.error} />
    </div>
  );
}
