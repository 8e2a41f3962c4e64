import { it } from "vitest";
import { createTopic } from "../helpers";
import { produceMany, tieredConfigs, tieredState } from "./helpers";

it("debug", async () => {
  await createTopic("dbg", 1, tieredConfigs(12 * 1024 * 1024, 1, { "remote.storage.enable": "false" }));
  for (let i = 0; i < 15; i++) {
    const t0 = Date.now();
    await produceMany("dbg", 1, { records: 1, recordBytes: 900 * 1024 });
    console.log("produced", i, Date.now() - t0, JSON.stringify((await tieredState("dbg", 0, 0)).localBytes));
  }
}, 120000);
