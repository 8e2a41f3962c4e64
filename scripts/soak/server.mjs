// The soak's server: `scripts/serve.mjs` (what `npm start` runs) as a
// child in a process group of its own, so a crash is SIGKILL to the
// server and the workerd it started at once, as a power cut would be.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Starts the server on `port` (Kafka protocol on `kafkaPort`) with state in `persistTo`; resolves once both serve. */
export async function startServer({ port, kafkaPort, persistTo }) {
  const args = ["scripts/serve.mjs", "--port", String(port), "--persist-to", persistTo, "--kafka-port", String(kafkaPort)];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 90 s:\n${output}`)), 90_000);
    const onData = (chunk) => {
      output += chunk.toString();
      if (output.includes("Kafka protocol on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
  const gone = new Promise((resolve) => child.on("exit", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    /** SIGKILL to the server's process group (node and workerd); resolves once it is gone. */
    crash: async () => {
      process.kill(-child.pid, "SIGKILL");
      await gone;
    },
    /** SIGTERM, then SIGKILL to the group after 10 s. */
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
