// kcat (Debian's librdkafka 2.0.2) against the Kafka front door, for the
// end-to-end tests: one way to run it, with a time limit, so a hung
// client fails its test instead of the run.
import { spawn, spawnSync } from "node:child_process";

/** Whether kcat is installed (`.ci/run` installs it; the kcat tests are skipped without it). */
export const hasKcat = spawnSync("kcat", ["-V"]).status === 0;

/** What a kcat run gave: its exit code (null when killed), stdout and stderr. */
export interface KcatRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs kcat against 127.0.0.1:`port` with `args` and `input` on stdin; killed after `timeoutMs` (default 60,000). */
export function runKcat(port: number, args: string[], input = "", timeoutMs = 60_000): Promise<KcatRun> {
  return new Promise((resolve) => {
    const child = spawn("kcat", ["-b", `127.0.0.1:${port}`, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(input);
  });
}

/**
 * kcat's stdout; rejects when it exits non-zero, or (`errorFree`, default
 * false) when its stderr mentions an error at all.
 */
export async function kcatOut(port: number, args: string[], input = "", errorFree = false): Promise<string> {
  const run = await runKcat(port, args, input);
  if (run.code === 0 && !(errorFree && /error/i.test(run.err))) return run.out;
  throw new Error(`kcat ${args.join(" ")} exited with ${run.code}: ${run.err}`);
}

/** kcat's settings for SASL/PLAIN as key id `user` with secret `password`. */
export function saslArgs(user: string, password: string): string[] {
  return ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN", "-X", `sasl.username=${user}`, "-X", `sasl.password=${password}`];
}
