// What the benchmark leaves on disk (state directories, a baseline's git
// worktree) is removed however it ends: done, failed, or stopped with
// Ctrl-C. Miniflare stops its workerd the same way (its own exit hook).

const tasks = new Set();
let hooked = false;

/** Runs every task still registered (each once; a failing one does not stop the others). */
function runAll() {
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    try {
      task();
    } catch (e) {
      console.error(`bench: cleanup failed: ${e.message}`);
    }
  }
}

/**
 * Registers `task` (synchronous: it may run in process.on("exit")) to run
 * when the process exits, or on SIGINT / SIGTERM; returns a function that
 * runs it now and unregisters it.
 */
export function onExit(task) {
  if (!hooked) {
    hooked = true;
    process.on("exit", runAll);
    // Exiting runs the "exit" listeners; 128 + the signal's number, as a shell reports it.
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
  }
  tasks.add(task);
  return () => {
    if (tasks.delete(task)) task();
  };
}
