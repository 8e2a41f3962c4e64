// `npm start [-- --port N] [--host H] [--persist-to DIR] [--mode M]`: serves
// Runnel locally with state on disk that survives restarts. --mode
// production turns fault injection off (development is the default).
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { startServer } from "./server.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    host: { type: "string", default: "127.0.0.1" },
    "persist-to": { type: "string", default: ".runnel/state" },
    mode: { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got '${values.port}'`);
  process.exit(2);
}
const persistTo = resolve(values["persist-to"]);
if (values.mode !== undefined && values.mode !== "development" && values.mode !== "production") {
  console.error(`--mode must be development or production, got '${values.mode}'`);
  process.exit(2);
}
const server = await startServer({ port, host: values.host, persistTo, mode: values.mode });
console.log(`Runnel is serving on ${server.url} (cluster runnel-local, state in ${persistTo})`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  });
}
