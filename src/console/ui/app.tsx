/**
 * The console: signs in (or goes straight in when the server serves
 * open), then shows the page the URL's fragment names inside the shell
 * (header, navigation, main).
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ErrorBox } from "./error-box";
import { AccessPage } from "./access";
import { GroupPage } from "./group";
import { GroupsPage } from "./groups";
import { MessagesPage } from "./messages";
import { OverviewPage } from "./overview";
import { href, navigate, type Route, useRoute } from "./router";
import { forgetKey, openSession, pageAuth, type Session, storedKey } from "./session";
import { SignIn } from "./sign-in";
import { SubscriptionPage, SubscriptionsPage } from "./subscriptions";
import { TopicPage } from "./topic";
import { TopicsPage } from "./topics";
import { Page } from "./ui";

type Boot = { state: "checking" } | { state: "signed-out"; error: unknown } | { state: "in"; session: Session };

export function App() {
  const auth = pageAuth();
  const [boot, setBoot] = useState<Boot>({ state: "checking" });
  const start = (key: string | undefined) => {
    setBoot({ state: "checking" });
    openSession(auth, key).then(
      (session) => setBoot({ state: "in", session }),
      (error: unknown) => {
        if (key !== undefined) forgetKey();
        setBoot({ state: "signed-out", error });
      },
    );
  };
  // Once, on load: a kept key or an open server goes straight in.
  useEffect(() => {
    const key = auth === "on" ? storedKey() : undefined;
    if (auth === "off" || key !== undefined) start(key);
    else setBoot({ state: "signed-out", error: null });
  }, []);
  if (boot.state === "in") {
    return (
      <Shell
        session={boot.session}
        onSignOut={() => {
          forgetKey();
          navigate(href.overview()); // whoever signs in next starts at the overview
          setBoot({ state: "signed-out", error: null });
        }}
      />
    );
  }
  if (auth === "off") {
    // Open server that did not answer: say why, offer to try again.
    return (
      <main class="sign-in" id="main">
        <h1>Runnel console</h1>
        {boot.state === "checking" ? <p role="status">Connecting…</p> : <ErrorBox error={boot.error} />}
        {boot.state === "signed-out" ? (
          <button type="button" onClick={() => start(undefined)}>
            Try again
          </button>
        ) : null}
      </main>
    );
  }
  return <SignIn checking={boot.state === "checking"} error={boot.state === "signed-out" ? boot.error : null} onKey={start} />;
}

const NAV: { label: string; href: string; pages: Route["page"][]; auth?: true }[] = [
  { label: "Overview", href: href.overview(), pages: ["overview"] },
  { label: "Topics", href: href.topics(), pages: ["topics", "topic"] },
  { label: "Messages", href: href.messages(), pages: ["messages"] },
  { label: "Consumer groups", href: href.groups(), pages: ["groups", "group"] },
  { label: "Subscriptions", href: href.subscriptions(), pages: ["subscriptions", "subscription"] },
  { label: "Keys and ACLs", href: href.access(), pages: ["access"], auth: true },
];

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const routeKey = JSON.stringify(route);
  const first = useRef(true);
  // A new page (not the first: a page load starts at the top, with the skip link):
  // focus its heading, so keyboard and screen-reader users start there. A layout effect:
  // focus moves in the same commit that shows the page, never a frame later.
  useLayoutEffect(() => {
    if (first.current) first.current = false;
    else document.querySelector<HTMLElement>("main h1")?.focus();
  }, [routeKey]);
  const keyId = session.key?.slice(0, session.key.indexOf("."));
  return (
    <>
      <button type="button" class="skip" onClick={() => document.querySelector<HTMLElement>("main h1")?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={href.overview()}>
          Runnel
        </a>
        <span class="cluster">cluster {session.clusterId}</span>
        {session.auth === "off" ? (
          <span class="badge warn">Authentication is off</span>
        ) : (
          <span class="who">
            key <code>{keyId}</code>
          </span>
        )}
        {session.auth === "on" ? (
          <button type="button" class="quiet" onClick={onSignOut}>
            Sign out
          </button>
        ) : null}
      </header>
      {session.auth === "off" ? (
        <p class="banner" role="note">
          Authentication is off (development mode without an admin key): anyone who can reach this server may read, write and delete everything.
          Start it with <code>--admin-key</code> (or <code>RUNNEL_ADMIN_KEY</code>) to require keys.
        </p>
      ) : null}
      <nav aria-label="Sections">
        <ul>
          {NAV.filter((n) => n.auth !== true || session.auth === "on").map((n) => (
            <li key={n.href}>
              <a href={n.href} aria-current={n.pages.includes(route.page) ? "page" : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        <Content route={route} session={session} />
      </main>
    </>
  );
}

function Content({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case "overview":
      return <OverviewPage session={session} />;
    case "topics":
      return <TopicsPage session={session} />;
    case "topic":
      return <TopicPage key={route.topic} session={session} topic={route.topic} />;
    case "messages":
      return <MessagesPage key={JSON.stringify(route)} session={session} topic={route.topic} partition={route.partition} offset={route.offset} />;
    case "groups":
      return <GroupsPage session={session} />;
    case "group":
      return <GroupPage key={route.group} session={session} group={route.group} />;
    case "subscriptions":
      return <SubscriptionsPage session={session} />;
    case "subscription":
      return <SubscriptionPage key={route.name} session={session} name={route.name} />;
    case "access":
      return session.auth === "on" ? <AccessPage session={session} /> : <Missing text="Keys and ACLs exist only when authentication is on." />;
    case "missing":
      return <Missing text={`There is no page '${route.path}'.`} />;
  }
}

function Missing({ text }: { text: string }) {
  return (
    <Page title="Not found">
      <p>{text}</p>
      <p>
        <a href={href.overview()}>Go to the overview</a>
      </p>
    </Page>
  );
}
