import { describe, expect, it } from "vitest";
import { electAfterFailure, initialRole, preferredLeaderRole } from "../../src/controller/election";

const role = { leader: 0, leaderEpoch: 4, replicas: [0, 1, 2], isr: [0, 1, 2] };

describe("leader election", () => {
  it("starts a partition with replica 0 leading in epoch 0 and every replica in sync", () => {
    expect(initialRole([2, 0, 1])).toEqual({ leader: 2, leaderEpoch: 0, replicas: [2, 0, 1], isr: [2, 0, 1] });
  });

  it("elects the first reachable in-sync replica in replica order, in the next epoch, without the failed leader", () => {
    expect(electAfterFailure(role, 0, new Set([2, 1]), false)).toEqual({ leader: 1, leaderEpoch: 5, replicas: [0, 1, 2], isr: [1, 2] });
    expect(electAfterFailure(role, 0, new Set([2]), false)).toMatchObject({ leader: 2, leaderEpoch: 5 });
  });

  it("never elects a replica outside the ISR unless unclean election is enabled", () => {
    const shrunk = { ...role, isr: [0] };
    expect(electAfterFailure(shrunk, 0, new Set([1, 2]), false)).toEqual({ ...shrunk, leader: -1, leaderEpoch: 5 });
    expect(electAfterFailure(shrunk, 0, new Set([1, 2]), true)).toEqual({ ...shrunk, leader: 1, leaderEpoch: 5, isr: [1] });
  });

  it("leaves a partition without a leader when no replica answers, keeping its ISR", () => {
    expect(electAfterFailure(role, 0, new Set(), true)).toEqual({ ...role, leader: -1, leaderEpoch: 5 });
  });

  it("hands leadership back to the preferred replica once it is in sync", () => {
    const moved = { leader: 1, leaderEpoch: 5, replicas: [0, 1, 2], isr: [1, 2] };
    expect(preferredLeaderRole(moved)).toBeNull();
    expect(preferredLeaderRole({ ...moved, isr: [1, 2, 0] })).toEqual({ ...moved, isr: [1, 2, 0], leader: 0, leaderEpoch: 6 });
    expect(preferredLeaderRole(role)).toBeNull();
  });
});
