/**
 * Which of the protocols (partition assignors) Kafka members offer the
 * group uses. Assignment is always done by the coordinator: the protocol
 * name only picks which of Runnel's assignors does it, and is the name
 * every Kafka member is told (clients look their assignor up by it).
 */
import type { Assignor } from "../assignors";
import type { MemberState } from "../types";

/** Client assignor names Runnel knows, and the assignor that serves each. */
const KNOWN = new Map<string, Assignor>([
  ["range", "range"],
  ["roundrobin", "roundrobin"],
  ["RoundRobinAssigner", "roundrobin"], // kafkajs
  ["sticky", "sticky"],
  ["cooperative-sticky", "sticky"],
]);

/** The protocol a group of Kafka members uses: its name, and Runnel's assignor for it (null: the group's own). */
export interface ProtocolChoice {
  name: string;
  assignor: Assignor | null;
}

/** The protocol names every one of `offers` (each a member's names, in its order of preference) includes, in the first's order. */
function common(offers: string[][]): string[] {
  const [first, ...rest] = offers;
  return (first ?? []).filter((name) => rest.every((o) => o.includes(name)));
}

/** The Kafka members of a group, in joining order. */
export function kafkaMembers(members: MemberState[]): MemberState[] {
  return members.filter((m) => m.kind === "kafka" && m.kafka !== undefined);
}

/**
 * The protocol for these Kafka members: the first (in the oldest
 * member's order) that every one offers and Runnel knows, else the first
 * they all offer (assigned by the group's assignor); null without Kafka
 * members or without a protocol they all offer.
 */
export function chooseProtocol(members: MemberState[]): ProtocolChoice | null {
  const names = common(kafkaMembers(members).map((m) => m.kafka!.protocols.map((p) => p.name)));
  const known = names.find((n) => KNOWN.has(n));
  if (known !== undefined) return { name: known, assignor: KNOWN.get(known)! };
  return names.length > 0 ? { name: names[0]!, assignor: null } : null;
}

/** Whether a member offering `names` can join these Kafka members (`others`, without it): they must share a protocol, as Kafka rules. */
export function sharesProtocol(others: MemberState[], names: string[]): boolean {
  const theirs = kafkaMembers(others).map((m) => m.kafka!.protocols.map((p) => p.name));
  return common([names, ...theirs]).length > 0;
}
