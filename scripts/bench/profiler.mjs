// CPU profile of workerd over its inspector (Chrome DevTools Protocol).

/** CPU-profiles workerd over CDP (--profile FILE): writes the .cpuprofile and prints the top self-time functions. */
export async function startProfiler(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.title?.includes("runnel")) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener("open", r, { once: true }));
  let id = 0;
  const pending = new Map();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  });
  const send = (method, params = {}) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  return {
    async stop(file) {
      const { result } = await send("Profiler.stop");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(file, JSON.stringify(result.profile));
      const self = new Map();
      const byId = new Map(result.profile.nodes.map((n) => [n.id, n]));
      const counts = new Map();
      for (const s of result.profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
      for (const [nid, n] of counts) {
        const node = byId.get(nid);
        const key = `${node.callFrame.functionName || "(anon)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + n);
      }
      const total = result.profile.samples.length;
      console.error([...self].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${((100 * v) / total).toFixed(1)}% ${k}`).join("\n"));
      ws.close();
    },
  };
}
