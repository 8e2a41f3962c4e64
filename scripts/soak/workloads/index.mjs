// The soak's workload kinds and the plan of one run. A workload kind is
// `{kind, run(ctx)}`: `run` works until `ctx.stopping()` and records what
// it did in `ctx.history` (the events the checker reads: checker.mjs).
// Transactional producers and read_committed consumers plug in here as
// more kinds (their events: txn.*, consume with `isolation`), with their
// property under checker.mjs's READ_COMMITTED_HOOK.
import { conditionalRacers } from "./conditional.mjs";
import { kafkajsConsumer, v2Consumer } from "./consumers.mjs";
import { offsetsPoller } from "./offsets-poller.mjs";
import { clientProducer, kafkajsProducer } from "./producers.mjs";

/** Every workload kind, by name. */
export const WORKLOAD_KINDS = Object.fromEntries([clientProducer, kafkajsProducer, v2Consumer, kafkajsConsumer, conditionalRacers, offsetsPoller].map((w) => [w.kind, w]));

/** The groups the consumers join (and the poller watches). */
export const GROUPS = { v2: "soak-v2", kafkajs: "soak-kafkajs" };

/** One run's workloads: a name, its kind and (consumers) its group. */
export const PLAN = [
  { name: "client-1", kind: "client-producer" },
  { name: "client-2", kind: "client-producer" },
  { name: "kafkajs-1", kind: "kafkajs-producer" },
  { name: "v2-a", kind: "v2-consumer", group: GROUPS.v2 },
  { name: "v2-b", kind: "v2-consumer", group: GROUPS.v2 },
  { name: "kjs-a", kind: "kafkajs-consumer", group: GROUPS.kafkajs },
  { name: "kjs-b", kind: "kafkajs-consumer", group: GROUPS.kafkajs },
  { name: "racers", kind: "conditional-racers" },
  { name: "poller", kind: "offsets-poller" },
];
