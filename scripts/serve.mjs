// `npm start [-- --port N] [--host H] [--persist-to DIR] [--mode M] [--admin-key SECRET] [--kafka-port N] [--auth-off]`:
// serves Runnel locally with state on disk that survives restarts, and the
// Kafka protocol on --kafka-port (default 9092; 0 turns it off). --mode
// production turns fault injection off (development is the default).
// --admin-key (or the RUNNEL_ADMIN_KEY environment variable) turns
// authentication on: the bootstrap key is admin.{SECRET}, and Kafka clients
// authenticate with SASL/PLAIN (key id / secret as user name / password).
// Without a key, development serves open — but not a state directory that
// holds keys or ACLs (an authenticated run made them): that start is
// refused, saying why, unless --auth-off asks for it.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { startServer } from "./server.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    host: { type: "string", default: "127.0.0.1" },
    "persist-to": { type: "string", default: ".runnel/state" },
    mode: { type: "string", default: "development" },
    "admin-key": { type: "string" },
    "kafka-port": { type: "string", default: "9092" },
    "auth-off": { type: "boolean", default: false },
  },
});
const port = portOption("--port", values.port);
const kafkaPort = portOption("--kafka-port", values["kafka-port"]);
const persistTo = resolve(values["persist-to"]);
if (values.mode !== "development" && values.mode !== "production") {
  console.error(`--mode must be development or production, got '${values.mode}'`);
  process.exit(2);
}
const adminKey = values["admin-key"] ?? process.env.RUNNEL_ADMIN_KEY ?? "";
const authOff = values["auth-off"];
if (authOff && (adminKey !== "" || values.mode !== "development")) {
  console.error("--auth-off is for development mode without an admin key (--admin-key or RUNNEL_ADMIN_KEY turns authentication on)");
  process.exit(2);
}
let server;
try {
  server = await startServer({ port, host: values.host, persistTo, mode: values.mode, adminKey: adminKey || undefined, kafkaPort, authOff });
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
if (adminKey === "" && values.mode === "development") {
  const kept = authOff ? " Keys and ACLs stored here are kept, unused, and cannot be read or changed until then." : "";
  console.warn(`warning: authentication is OFF (development mode without an admin key): anyone who can reach this port may read, write and delete every topic. Set RUNNEL_ADMIN_KEY or --admin-key to turn it on.${kept}`);
} else if (adminKey === "") {
  console.warn("warning: production mode without an admin key refuses every request (503). Set RUNNEL_ADMIN_KEY or --admin-key.");
}
console.log(`Runnel is serving on ${server.url} (cluster runnel-local, ${values.mode} mode, authentication ${adminKey ? "on" : "off"}, state in ${persistTo})`);
if (server.kafka !== null) {
  const sasl = server.kafka.sasl === "required" ? " (SASL/PLAIN required: user name = key id, password = secret)" : "";
  console.log(`Kafka protocol on ${server.kafka.host}:${server.kafka.port}${sasl}`);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  });
}

function portOption(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535 || value === "") {
    console.error(`${name} must be a port number, got '${value}'`);
    process.exit(2);
  }
  return n;
}
