/**
 * The signed-in session: the API key (kept in sessionStorage, so it dies
 * with the tab and never appears in a URL or in localStorage) and the
 * TypeScript client made from it. With authentication off there is no key.
 */
import type { Admin } from "../../client/admin";
import { Http } from "../../client/http";
import { Runnel } from "../../client/runnel";

const KEY_ITEM = "runnel.console.key";

/** What the console talks to the server with. */
export interface Session {
  /** "off": the server serves open (development without an admin key). */
  auth: "on" | "off";
  key: string | undefined;
  runnel: Runnel;
  admin: Admin;
  /** For what the client has no method for: /metrics and live tails. */
  http: Http;
  /** The cluster id. */
  clusterId: string;
}

/** Whether the server asks for a key, as the page it served says (`<meta name="runnel-auth">`). */
export function pageAuth(): "on" | "off" {
  return document.querySelector('meta[name="runnel-auth"]')?.getAttribute("content") === "off" ? "off" : "on";
}

/** The key this tab signed in with, if any. */
export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY_ITEM) ?? undefined;
  } catch {
    return undefined; // storage refused (privacy settings): sign in again each time
  }
}

/** Forgets the key (signing out). */
export function forgetKey(): void {
  try {
    sessionStorage.removeItem(KEY_ITEM);
  } catch {
    // nothing was kept
  }
}

/** A key is `{key_id}.{secret}`, printable ASCII; null when `key` is one, else what is wrong. */
export function keyProblem(key: string): string | null {
  if (key === "") return "Enter an API key.";
  if (!/^[\x21-\x7e]+\.[\x21-\x7e]+$/.test(key)) return "An API key is {key_id}.{secret}: printable characters with a dot between the key id and the secret.";
  return null;
}

/**
 * Opens a session: checks the key with `GET /v3/clusters` (which needs
 * only a valid key) and keeps it in sessionStorage once it works. Throws
 * the API's RunnelError (40101 for a bad key).
 */
export async function openSession(auth: "on" | "off", key: string | undefined): Promise<Session> {
  const url = location.origin;
  const runnel = new Runnel({ url, key });
  const admin = runnel.admin();
  const { clusterId } = await admin.cluster();
  if (key !== undefined) {
    try {
      sessionStorage.setItem(KEY_ITEM, key);
    } catch {
      // storage refused: the session lasts until the page is left
    }
  }
  return { auth, key, runnel, admin, http: new Http({ url, key }), clusterId };
}
