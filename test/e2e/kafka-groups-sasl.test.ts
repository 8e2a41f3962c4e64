// Consumer groups over the Kafka protocol with authentication on
// (SASL/PLAIN), against the real server started as `npm start` does with
// an admin key: a kafkajs consumer whose principal has no READ on the
// group is refused, and one whose principal has it is served. The shared
// helpers are kafka-groups/harness.ts (this file's server is its own).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kafkaGroupsHarness, waitFor } from "./kafka-groups/harness";
import { adminCall, freePort, startServer, type RunningServer } from "./server";

const { consume } = kafkaGroupsHarness();

describe("with authentication on (SASL/PLAIN)", () => {
  const ADMIN_SECRET = "e2e-groups-admin-secret";
  const saslDir = mkdtempSync(join(tmpdir(), "runnel-kafka-groups-sasl-"));
  let saslServer: RunningServer;
  let saslPort: number;
  const keys: Record<string, { keyId: string; secret: string }> = {};

  const admin = (method: string, path: string, body?: unknown) => adminCall(ADMIN_SECRET, method, `${saslServer.url}/v3/clusters/runnel-local${path}`, body);

  beforeAll(async () => {
    saslPort = await freePort();
    saslServer = await startServer(await freePort(), saslDir, saslPort, ADMIN_SECRET);
    expect((await admin("POST", "/topics", { topic_name: "kg-sasl", partitions_count: 1 })).status).toBe(201);
    const acl = (principal: string, resource_type: string, resource_name: string) => ({ resource_type, resource_name, pattern_type: "LITERAL", principal, host: "*", operation: "READ", permission: "ALLOW" });
    for (const name of ["member", "outsider"]) {
      const made = await admin("POST", "/keys", { principal: `User:${name}` });
      keys[name] = { keyId: made.body.key_id, secret: made.body.secret };
      expect((await admin("POST", "/acls", acl(`User:${name}`, "TOPIC", "kg-sasl"))).status).toBe(201);
    }
    expect((await admin("POST", "/acls", acl("User:member", "GROUP", "kg-sasl-g"))).status).toBe(201);
  });

  afterAll(async () => {
    await saslServer?.stop();
    rmSync(saslDir, { recursive: true, force: true });
  });

  const as = (who: string) =>
    new Kafka({ clientId: `e2e-${who}`, brokers: [`127.0.0.1:${saslPort}`], sasl: { mechanism: "plain", username: keys[who]!.keyId, password: keys[who]!.secret }, logLevel: logLevel.NOTHING, retry: { retries: 1 } });

  it("refuses a principal without READ on the group GROUP_AUTHORIZATION_FAILED, and serves one with it", async () => {
    const outsider = as("outsider").consumer({ groupId: "kg-sasl-g", retry: { retries: 0 } });
    const crashed = new Promise<any>((resolve) => outsider.on(outsider.events.CRASH, (e) => resolve(e.payload.error)));
    await outsider.connect();
    await outsider.subscribe({ topic: "kg-sasl", fromBeginning: true });
    await outsider.run({ eachMessage: async () => undefined });
    const error = await crashed;
    expect(error.type ?? error.originalError?.type).toBe("GROUP_AUTHORIZATION_FAILED");
    await outsider.disconnect();

    expect((await admin("POST", "/topics/kg-sasl/records", { value: { type: "STRING", data: "hello" } })).status).toBe(200);
    const member = await consume("kg-sasl-g", "kg-sasl", { client: as("member") });
    try {
      await waitFor("the member's record", () => member.got.length === 1);
      expect(member.got[0]!.value).toBe("hello");
    } finally {
      await member.stop();
    }
  });
});
