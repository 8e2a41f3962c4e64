// `npm start [-- --port N] [--host H] [--persist-to DIR] [--mode M] [--admin-key SECRET]`:
// serves Runnel locally with state on disk that survives restarts. --mode
// production turns fault injection off (development is the default).
// --admin-key (or the RUNNEL_ADMIN_KEY environment variable) turns
// authentication on: the bootstrap key is admin.{SECRET}.
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
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got '${values.port}'`);
  process.exit(2);
}
const persistTo = resolve(values["persist-to"]);
if (values.mode !== "development" && values.mode !== "production") {
  console.error(`--mode must be development or production, got '${values.mode}'`);
  process.exit(2);
}
const adminKey = values["admin-key"] ?? process.env.RUNNEL_ADMIN_KEY ?? "";
const server = await startServer({ port, host: values.host, persistTo, mode: values.mode, adminKey: adminKey || undefined });
if (adminKey === "" && values.mode === "development") {
  console.warn("warning: authentication is OFF (development mode without an admin key): anyone who can reach this port may read, write and delete every topic. Set RUNNEL_ADMIN_KEY or --admin-key to turn it on.");
} else if (adminKey === "") {
  console.warn("warning: production mode without an admin key refuses every request (503). Set RUNNEL_ADMIN_KEY or --admin-key.");
}
console.log(`Runnel is serving on ${server.url} (cluster runnel-local, ${values.mode} mode, authentication ${adminKey ? "on" : "off"}, state in ${persistTo})`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  });
}
