// `npm run gateway -- --url https://… [--sasl required|off] [--key {key_id}.{secret}]
// [--port 9092] [--host 127.0.0.1] [--advertised-host H[:P]] [--node-id 0]`: runs
// the Kafka protocol front door for a Runnel Worker anywhere. It is stateless:
// run as many side by side as wanted. --url and --key default to RUNNEL_URL and
// RUNNEL_KEY (an environment variable keeps the key out of `ps`).
//
// --sasl required: Kafka clients authenticate with SASL/PLAIN (key id / secret
// as user name / password) and every call for a connection carries its own
// key; --key is then not used at all (never lent to clients). --sasl off: no
// SASL; every call carries --key, if given. Default: required when the Worker
// answers 401 (or 503) to a request without a key, off when it serves open.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { buildGateway } from "./build.mjs";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.RUNNEL_URL },
    key: { type: "string", default: process.env.RUNNEL_KEY },
    sasl: { type: "string" },
    port: { type: "string", default: "9092" },
    host: { type: "string", default: "127.0.0.1" },
    "advertised-host": { type: "string" },
    "node-id": { type: "string", default: "0" },
  },
});
if (values.url === undefined || values.url === "") fail("--url (or RUNNEL_URL) is required: the Worker's base URL, e.g. https://runnel.example.workers.dev");
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port === "") fail(`--port must be a port number, got '${values.port}'`);
const nodeId = Number(values["node-id"]);
if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 2147483647) fail(`--node-id must be a non-negative integer, got '${values["node-id"]}'`);

if (values.sasl !== undefined && values.sasl !== "required" && values.sasl !== "off") fail(`--sasl must be required or off, got '${values.sasl}'`);

const { saslModeOf, startGateway } = await import(pathToFileURL(await buildGateway()).href);
let sasl = values.sasl;
if (sasl === undefined) {
  try {
    sasl = await saslModeOf(values.url);
  } catch (e) {
    fail(`could not ask ${values.url} whether it requires authentication (${e.message}); pass --sasl required or --sasl off`);
  }
}
if (sasl === "required" && values.key) console.warn("note: --key is not used with SASL required: each Kafka client's calls carry its own key");
let gateway;
try {
  gateway = await startGateway({
    url: values.url,
    host: values.host,
    port,
    nodeId,
    sasl,
    ...(values.key ? { key: values.key } : {}),
    ...(values["advertised-host"] ? { advertisedHost: values["advertised-host"] } : {}),
  });
} catch (e) {
  fail(e.message);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await gateway.stop();
    process.exit(0);
  });
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
