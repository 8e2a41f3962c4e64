// Conditional appenders racing: two writers read the partition's log end
// offset, then both append at it (`?expected_offset=`) at once. Each
// answer is a `cond.result`: won (200, with its offset), refused (40905,
// with the log end offset) or unknown (anything else: the append may or
// may not have happened).
import { request } from "../http.mjs";

export const conditionalRacers = {
  kind: "conditional-racers",
  async run(ctx) {
    const partitionUrl = `${ctx.url()}/v3/clusters/runnel-local/topics/${ctx.topics.cond}/partitions/0`;
    for (let race = 0; !ctx.stopping(); race++) {
      const seen = await request("GET", partitionUrl);
      if (seen.status !== 200) {
        await ctx.pause(300);
        continue;
      }
      const expected = seen.body.log_end_offset;
      const base = { race: `${ctx.name}-${race}`, topic: ctx.topics.cond, partition: 0, expected };
      await Promise.all(["a", "b"].map(async (writer) => {
        const id = `${base.race}-${writer}`;
        const res = await request("POST", `${ctx.url()}/v3/clusters/runnel-local/topics/${ctx.topics.cond}/records?expected_offset=${expected}`, { partition_id: 0, value: { type: "JSON", data: { id } } });
        const outcome = res.status === 200 ? { outcome: "won", offset: res.body.offset } : res.body?.error_code === 40905 ? { outcome: "refused", logEndOffset: res.body.log_end_offset } : { outcome: "unknown", error: res.body?.error_code ?? res.status };
        ctx.history.record({ type: "cond.result", ...base, writer, id, ...outcome });
      }));
      await ctx.pause(ctx.rng.int(0, 50));
    }
  },
};
