// `npm run gateway -- --url https://… [--key {key_id}.{secret}] [--port 9092]
// [--host 127.0.0.1] [--advertised-host H[:P]] [--node-id 0]`: runs the Kafka
// protocol front door for a Runnel Worker anywhere. It is stateless: run as
// many side by side as wanted. --url and --key default to RUNNEL_URL and
// RUNNEL_KEY (an environment variable keeps the key out of `ps`).
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { buildGateway } from "./build.mjs";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.RUNNEL_URL },
    key: { type: "string", default: process.env.RUNNEL_KEY },
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

const { startGateway } = await import(pathToFileURL(await buildGateway()).href);
let gateway;
try {
  gateway = await startGateway({
    url: values.url,
    host: values.host,
    port,
    nodeId,
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
