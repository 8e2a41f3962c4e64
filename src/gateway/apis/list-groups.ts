/**
 * ListGroups (key 16), every version from Kafka 0.9's v0 to v5: every
 * group the client may DESCRIBE (the Worker filters them), each with
 * protocol type "consumer", its state in Kafka's words (v4: Stable,
 * PreparingRebalance, CompletingRebalance, Empty for a classic group;
 * Empty, Assigning, Reconciling, Stable for a KIP-848 group) and its type
 * (v5: "classic", or "consumer" for a KIP-848 group). The states (v4+)
 * and types (v5) filters are applied as Kafka applies them, without
 * regard to case; a filter naming no known type lists nothing.
 */
import { groupCodeOf } from "../backend/group-api";
import type { ListedGroup } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

/** Confluent's spelling of a state -> Kafka's. */
const KAFKA_STATE: Record<string, string> = {
  STABLE: "Stable",
  EMPTY: "Empty",
  PREPARING_REBALANCE: "PreparingRebalance",
  COMPLETING_REBALANCE: "CompletingRebalance",
  ASSIGNING: "Assigning",
  RECONCILING: "Reconciling",
  DEAD: "Dead",
};

const kafkaType = (g: ListedGroup) => (g.type === "CONSUMER" ? "consumer" : "classic");

export const listGroups = serve(apis.ListGroups, {
  async handle(req, _version, ctx) {
    try {
      const states = new Set(req.statesFilter.map((s) => s.trim().toLowerCase()));
      const types = new Set(req.typesFilter.map((t) => t.trim().toLowerCase()));
      const groups = (await ctx.api.listGroups())
        .map((g) => ({ groupId: g.groupId, protocolType: "consumer", groupState: KAFKA_STATE[g.state] ?? g.state, groupType: kafkaType(g) }))
        .filter((g) => (states.size === 0 || states.has(g.groupState.toLowerCase())) && (types.size === 0 || types.has(g.groupType)));
      return { errorCode: KafkaCode.NONE, groups };
    } catch (e) {
      return { errorCode: groupCodeOf(e) };
    }
  },

  failed(_req, code) {
    return { errorCode: code };
  },
});
