/** Consumer groups: state, members and generation of each. */
import { ErrorBox } from "./error-box";
import { useLoad } from "./hooks";
import { href } from "./router";
import type { Session } from "./session";
import { Page, Section, Table } from "./ui";

export function GroupsPage({ session }: { session: Session }) {
  const groups = useLoad(() => session.admin.listGroups(), [session], 5_000);
  const list = (groups.data ?? []).slice().sort((a, b) => String(a.consumer_group_id).localeCompare(String(b.consumer_group_id)));
  return (
    <Page title="Consumer groups">
      <Section title="Groups">
        <ErrorBox error={groups.error} />
        {groups.data !== undefined && list.length === 0 ? <p>No consumer groups yet: a group appears when a consumer first joins it.</p> : null}
        <Table label="Consumer groups" head={["Group", "State", "Members", "Generation", "Assignor"]}>
          {list.map((g) => (
            <tr key={g.consumer_group_id}>
              <td>
                <a href={href.group(g.consumer_group_id)}>{g.consumer_group_id}</a>
              </td>
              <td>{g.state}</td>
              <td class="num">{Array.isArray(g.consumers) ? g.consumers.length : "–"}</td>
              <td class="num">{g.generation ?? "–"}</td>
              <td>{g.partition_assignor ?? "–"}</td>
            </tr>
          ))}
        </Table>
      </Section>
    </Page>
  );
}
