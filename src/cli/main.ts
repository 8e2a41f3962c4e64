/**
 * The `runnel` command line (npx runnel …), built on the TypeScript
 * client. Global options: --url / RUNNEL_URL (default
 * http://127.0.0.1:8787), --key / RUNNEL_KEY, --json. Exit status 0 on
 * success; 1 with the API's message on stderr when the server refused; 2
 * for a mistake in the command line. When the reader of its output goes
 * away (`| head`), it stops at once, quietly, with status 0, as kcat does.
 */
import { Command, CommanderError } from "commander";
import { RunnelError } from "../client/errors";
import { aclCommands, keyCommands } from "./access";
import { consumeCommand } from "./consume";
import { type GlobalOptions, UsageError } from "./context";
import { groupCommands } from "./groups";
import { produceCommand } from "./produce";
import { subscriptionCommands } from "./subscriptions";
import { topicCommands } from "./topics";

stopWhenReaderGoes(process.stdout);
stopWhenReaderGoes(process.stderr);

const program = new Command("runnel")
  .description("Runnel from the command line: topics, produce, consume, groups, offsets, push subscriptions, keys and ACLs")
  .option("--url <url>", "the server (env RUNNEL_URL)", process.env.RUNNEL_URL || "http://127.0.0.1:8787")
  .option("--key <key>", "an API key, {key_id}.{secret} (env RUNNEL_KEY)", process.env.RUNNEL_KEY || undefined)
  .option("--json", "machine-readable output (JSON; consume: one JSON object per line)")
  .showHelpAfterError()
  .exitOverride();

const globals = () => program.opts<GlobalOptions>();
topicCommands(program, globals);
produceCommand(program, globals);
consumeCommand(program, globals);
groupCommands(program, globals);
subscriptionCommands(program, globals);
keyCommands(program, globals);
aclCommands(program, globals);

let status = 0;
try {
  await program.parseAsync(process.argv);
} catch (e) {
  status = exitWith(e);
}
// Exit once stdout has taken everything: an idle keep-alive connection or a socket still closing must not keep the command alive.
process.stdout.write("", () => process.exit(status));

/**
 * A closed pipe (the reader exited, as `head` does) ends the command with
 * status 0 and nothing printed: nobody is left to read more, and a shell
 * pipeline with `pipefail` should not fail for it. Any other failure to
 * write is reported and exits 1.
 */
function stopWhenReaderGoes(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && stream === process.stdout) process.stderr.write(`runnel: cannot write the output: ${e.message}\n`);
    process.exit(e.code === "EPIPE" ? 0 : 1);
  });
}

/** Reports a failure on stderr; returns the exit status. */
function exitWith(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander printed it (help and version exit 0)
  if (e instanceof UsageError) {
    process.stderr.write(`runnel: ${e.message}\n`);
    return 2;
  }
  if (e instanceof RunnelError) {
    // As the API wrote it: the code, Kafka's name when it gave one, and the request id the server logged.
    const name = e.errorName === null ? "" : ` ${e.errorName}`;
    const code = e.errorCode === 0 ? "" : ` (error_code ${e.errorCode}${name}${e.requestId === null ? "" : `, request ${e.requestId}`})`;
    process.stderr.write(`runnel: ${e.message}${code}\n`);
    return 1;
  }
  process.stderr.write(`runnel: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}
