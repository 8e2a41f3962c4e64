// Polls the committed offsets of the soak's groups, one poll at a time
// (the `poll` number orders them), as `offsets.observed` events: what the
// group coordinator says is committed, never moving back.
import { request } from "../http.mjs";

export const offsetsPoller = {
  kind: "offsets-poller",
  async run(ctx) {
    let poll = 0;
    while (!ctx.stopping()) {
      for (const group of ctx.groups) {
        const res = await request("GET", `${ctx.url()}/v3/clusters/runnel-local/consumer-groups/${group}/lags`);
        if (res.status !== 200) continue;
        poll++;
        for (const row of res.body.data ?? []) {
          if (typeof row.current_offset !== "number" || row.current_offset < 0) continue;
          ctx.history.record({ type: "offsets.observed", group, topic: row.topic_name, partition: row.partition_id, offset: row.current_offset, poll });
        }
      }
      await ctx.pause(500);
    }
  },
};
