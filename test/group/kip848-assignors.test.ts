// KIP-848's server assignors and reconciliation as pure functions: balance
// and stickiness of `uniform`, the ranges of `range`, and the steps of a
// member towards its target — revoking before it is given what another
// still owns.
import { describe, expect, it } from "vitest";
import { reconcile, type ReconcileInput } from "../../src/group/kip848/reconcile";
import { targetAssignment, type AssignorMember } from "../../src/group/kip848/server-assignors";
import type { TopicPartition } from "../../src/group/types";

const tp = (s: string): TopicPartition => ({ topic: s.split("-")[0]!, partition: Number(s.split("-")[1]) });
const names = (list: TopicPartition[] | undefined) => (list ?? []).map((p) => `${p.topic}-${p.partition}`);
const member = (memberId: string, topics: string[], current: string[] = [], instanceId: string | null = null): AssignorMember => ({ memberId, instanceId, topics, current: current.map(tp) });

describe("the uniform assignor", () => {
  it("balances, keeps what members had, and moves only what balance needs", () => {
    const counts = new Map([["t", 6]]);
    const one = targetAssignment("uniform", [member("a", ["t"])], counts);
    expect(names(one.get("a"))).toEqual(["t-0", "t-1", "t-2", "t-3", "t-4", "t-5"]);
    const two = targetAssignment("uniform", [member("a", ["t"], names(one.get("a"))), member("b", ["t"])], counts);
    expect(two.get("a")).toHaveLength(3);
    expect(two.get("b")).toHaveLength(3);
    // A third member: each of the two keeps two of its three.
    const three = targetAssignment("uniform", [member("a", ["t"], names(two.get("a"))), member("b", ["t"], names(two.get("b"))), member("c", ["t"])], counts);
    for (const id of ["a", "b"]) expect(names(three.get(id)).every((p) => names(two.get(id)).includes(p))).toBe(true);
    expect([...three.values()].map((l) => l.length)).toEqual([2, 2, 2]);
  });

  it("gives every partition to one subscriber only, and evens out members with different subscriptions", () => {
    const counts = new Map([["x", 4], ["y", 4]]);
    const out = targetAssignment("uniform", [member("a", ["x", "y"]), member("b", ["x"]), member("c", ["y"])], counts);
    const all = [...out.values()].flatMap(names).sort();
    expect(all).toEqual(["x-0", "x-1", "x-2", "x-3", "y-0", "y-1", "y-2", "y-3"]);
    expect(names(out.get("b")).every((p) => p.startsWith("x-"))).toBe(true);
    expect(names(out.get("c")).every((p) => p.startsWith("y-"))).toBe(true);
    const loads = [...out.values()].map((l) => l.length);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
  });

  it("drops what a member no longer subscribes to, and partitions that no longer exist", () => {
    const out = targetAssignment("uniform", [member("a", ["t"], ["t-0", "t-1", "gone-0", "t-7"])], new Map([["t", 2]]));
    expect(names(out.get("a"))).toEqual(["t-0", "t-1"]);
  });
});

describe("the range assignor", () => {
  it("gives contiguous ranges, static members first by instance id, the first members one more", () => {
    const out = targetAssignment("range", [member("m2", ["t"]), member("m1", ["t"]), member("z", ["t"], [], "i-a")], new Map([["t", 5]]));
    expect(names(out.get("z"))).toEqual(["t-0", "t-1"]);
    expect(names(out.get("m1"))).toEqual(["t-2", "t-3"]);
    expect(names(out.get("m2"))).toEqual(["t-4"]);
  });
});

describe("reconciliation", () => {
  const base = (over: Partial<ReconcileInput>): ReconcileInput => ({
    memberEpoch: 1,
    previousMemberEpoch: 0,
    state: "stable",
    assigned: [],
    pendingRevocation: [],
    targetEpoch: 1,
    target: [],
    subscribed: new Set(["t"]),
    owned: null,
    ownedByOther: () => false,
    ...over,
  });

  it("revokes first, keeping the member's epoch, until its heartbeat leaves the revoked partitions out", () => {
    const start = base({ assigned: ["t-0", "t-1"].map(tp), owned: ["t-0", "t-1"].map(tp), targetEpoch: 2, target: ["t-0", "t-2"].map(tp) });
    const revoking = reconcile(start);
    expect(revoking).toMatchObject({ memberEpoch: 1, state: "unrevoked" });
    expect(names(revoking.assigned)).toEqual(["t-0"]);
    expect(names(revoking.pendingRevocation)).toEqual(["t-1"]);
    // Still reported: nothing moves.
    const still = { ...start, ...revoking, owned: ["t-0", "t-1"].map(tp) };
    expect(reconcile(still)).toBe(still);
    // Let go: to the target epoch, with what is free of the target.
    const done = reconcile({ ...still, owned: ["t-0"].map(tp) });
    expect(done).toMatchObject({ memberEpoch: 2, previousMemberEpoch: 1, state: "stable" });
    expect(names(done.assigned)).toEqual(["t-0", "t-2"]);
  });

  it("does not give a partition another member still owns, and gives it once released", () => {
    let owner = true;
    const input = base({ memberEpoch: 0, targetEpoch: 3, target: ["t-0", "t-1"].map(tp), owned: [], ownedByOther: (p) => owner && p.partition === 1 });
    const partly = reconcile(input);
    expect(partly).toMatchObject({ memberEpoch: 3, state: "unreleased" });
    expect(names(partly.assigned)).toEqual(["t-0"]);
    owner = false;
    const whole = reconcile({ ...input, ...partly });
    expect(whole).toMatchObject({ memberEpoch: 3, state: "stable" });
    expect(names(whole.assigned)).toEqual(["t-0", "t-1"]);
  });

  it("leaves out of the target the topics the member no longer subscribes to", () => {
    const out = reconcile(base({ assigned: ["t-0"].map(tp), owned: [], targetEpoch: 2, target: ["t-0", "u-0"].map(tp) }));
    expect(names(out.assigned)).toEqual(["t-0"]);
  });
});
