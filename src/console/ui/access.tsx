/** Keys and ACLs (only with authentication on; every call needs ALTER on the cluster, so others see the API's 40301). */
import { AclsSection } from "./acls";
import { KeysSection } from "./keys";
import type { Session } from "./session";
import { Page } from "./ui";

export function AccessPage({ session }: { session: Session }) {
  return (
    <Page title="Keys and ACLs">
      <KeysSection session={session} />
      <AclsSection session={session} />
    </Page>
  );
}
