// The baseline of a comparison (--baseline REF): the server and the client
// as they were at a git ref, checked out into a temporary worktree and
// built there with that ref's own scripts — its scripts/server.mjs starts
// it, so a build that changed between the two is measured as it was.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { onExit } from "./cleanup.mjs";

/** A mistake in what was asked (a ref that names no commit): reported as one line, without a stack trace. */
export class UsageError extends Error {}

/** Runs git in `cwd`; returns { status, stdout, stderr } (text, trimmed). */
function git(cwd, args) {
  const r = spawnSync("git", ["-C", cwd, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: (r.stdout ?? "").trim(), stderr: (r.stderr ?? "").trim() };
}

/** This checkout's commit, with "+dirty" when its files differ from it (the current code is the work tree, not HEAD). */
export function describeCheckout(root) {
  return git(root, ["describe", "--always", "--dirty=+dirty", "--abbrev=12"]).stdout;
}

/**
 * Checks `ref` (anything git rev-parse takes: main, HEAD~3, a hash) of the
 * repository at `root` out into a temporary detached worktree; reuses
 * root's node_modules by symlink when the ref's package-lock.json equals
 * root's, else runs `npm ci` there; builds the ref's client. Resolves to
 * the baseline arm: { name: "base", ref, commit, dir, startServer (the
 * ref's scripts/server.mjs), client (the file URL of its built client),
 * remove() }. The worktree is removed by remove() or, failing that, when
 * the process exits, fails or is interrupted.
 */
export async function prepareBaseline(root, ref) {
  const resolved = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (resolved.status !== 0) throw new UsageError(`--baseline ${ref}: not a commit in ${root.replace(/\/$/, "")} (give a branch, a tag, a hash or e.g. HEAD~3)`);
  const commit = resolved.stdout;
  const dir = mkdtempSync(join(tmpdir(), "runnel-bench-base-"));
  const remove = onExit(() => removeWorktree(root, dir));
  try {
    const added = git(root, ["worktree", "add", "--detach", dir, commit]);
    if (added.status !== 0) throw new Error(`git worktree add ${dir} ${commit}: ${added.stderr}`);
    await install(root, dir, commit);
    for (const script of ["scripts/server.mjs", "scripts/build-client.mjs"]) {
      if (!existsSync(join(dir, script))) throw new UsageError(`--baseline ${ref}: ${commit.slice(0, 12)} has no ${script}, which the comparison builds and starts it with`);
    }
    const { startServer } = await import(pathToFileURL(join(dir, "scripts/server.mjs")).href);
    const { buildClient } = await import(pathToFileURL(join(dir, "scripts/build-client.mjs")).href);
    await buildClient();
    return { name: "base", ref, commit: commit.slice(0, 12), dir, startServer, client: clientUrl(dir), remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** node_modules for the worktree `dir`: root's by symlink when the lock files match, else a clean install. */
async function install(root, dir, commit) {
  const lock = git(root, ["show", `${commit}:package-lock.json`]);
  const ours = readFileSync(join(root, "package-lock.json"), "utf8").trim();
  if (lock.status === 0 && lock.stdout === ours && existsSync(join(root, "node_modules"))) {
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    return;
  }
  const child = spawn("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (c, signal) => resolve(c ?? signal));
  });
  if (code !== 0) throw new Error(`npm ci in the baseline's worktree ${dir} exited with ${code}:\n${output.slice(-2000)}`);
}

/** The file URL of the client module the worktree `dir` builds (its package.json's "./client" export). */
function clientUrl(dir) {
  const exported = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).exports?.["./client"];
  const file = typeof exported === "string" ? exported : (exported?.default ?? exported?.import);
  if (typeof file !== "string") throw new UsageError(`the baseline's package.json exports no "./client"`);
  return pathToFileURL(join(dir, file)).href;
}

/** Deletes the worktree `dir` and git's record of it (synchronous: it runs at exit too). */
function removeWorktree(root, dir) {
  const modules = join(dir, "node_modules");
  // Unlink the shared node_modules first, so nothing below can reach through it.
  if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) unlinkSync(modules);
  rmSync(dir, { recursive: true, force: true });
  // With its directory gone, this only drops git's record of the worktree.
  git(root, ["worktree", "remove", "--force", dir]);
}
