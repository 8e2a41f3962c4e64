// Resident memory and CPU time of the workerd process Miniflare started.
import { readdirSync, readFileSync } from "node:fs";

/** Polls the workerd process's resident memory; stop() returns the peak in bytes. */
export function watchServerMemory() {
  let peak = 0;
  // workerd is started by Miniflare as a child of this process.
  const pids = () =>
    readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.includes("(workerd)") && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid;
      } catch {
        return false;
      }
    });
  let cpuTicks = 0;
  const sample = () => {
    for (const pid of pids()) {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (rss) peak = Math.max(peak, Number(rss[1]) * 1024);
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
      } catch {
        /* process gone */
      }
    }
  };
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
    /** CPU seconds workerd has used so far (read now). */
    cpuSeconds: () => {
      sample();
      return cpuTicks / 100;
    },
  };
}

