/** The narrow view of a group that WebSocket delivery gets (see `DeliveryHost` in ws-delivery.ts). */
import type { GroupCoordinator } from "../coordinator";
import type { GroupParts } from "../group-admin";
import { resolvePositions } from "../positions";
import type { DeliveryHost } from "./ws-delivery";

/** The coordinator's RPC methods delivery goes through, so frames follow the HTTP API's rules. */
type MemberCalls = Pick<GroupCoordinator, "removeMember" | "commit" | "seek">;

/** Builds the host delivery sees, over `g`'s parts, the object's state and `calls`. */
export function deliveryHost(ctx: DurableObjectState, g: GroupParts, calls: MemberCalls): DeliveryHost {
  return {
    get env() {
      return g.env;
    },
    ctx,
    groupId: () => g.membership.groupId,
    generation: () => g.membership.generation,
    member: (memberId) => g.members.get(memberId),
    members: () => g.members.all(),
    join: (groupId, config, topics, memberId, principal) => g.membership.add(groupId, { name: memberId, principal, config }, "ws", { topics }),
    leave: (memberId) => calls.removeMember(memberId),
    commit: (memberId, offsets, principal) => calls.commit(memberId, offsets, principal),
    seek: (memberId, targets, principal) => calls.seek(memberId, targets, principal),
    resolve: (m, partitions, reset) => resolvePositions(g.env, g.offsets, m, partitions, reset),
    save: (m) => g.members.save(m),
    delivered: (tp, records) => g.counters.delivered(tp, records),
  };
}
