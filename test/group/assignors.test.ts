import { describe, expect, it } from "vitest";
import { assign, type Assignor, type MemberSubscription } from "../../src/group/assignors";

const member = (memberId: string, topics: string[], owned: { topic: string; partition: number }[] = []): MemberSubscription => ({ memberId, topics, owned });
const counts = (entries: [string, number][]) => new Map(entries);
const flat = (a: Map<string, { topic: string; partition: number }[]>) => [...a.values()].flat().map((tp) => `${tp.topic}-${tp.partition}`).sort();

describe("assignors", () => {
  for (const assignor of ["range", "roundrobin", "sticky"] as Assignor[]) {
    it(`${assignor}: gives every partition to exactly one member, two each for three members on six partitions`, () => {
      const a = assign(assignor, [member("a", ["t"]), member("b", ["t"]), member("c", ["t"])], counts([["t", 6]]));
      expect([...a.values()].map((l) => l.length)).toEqual([2, 2, 2]);
      expect(flat(a)).toEqual(["t-0", "t-1", "t-2", "t-3", "t-4", "t-5"]);
    });

    it(`${assignor}: gives a topic's partitions only to members subscribed to it`, () => {
      const a = assign(assignor, [member("a", ["x"]), member("b", ["x", "y"])], counts([["x", 2], ["y", 3]]));
      expect(a.get("a")!.every((tp) => tp.topic === "x")).toBe(true);
      expect(flat(a)).toEqual(["x-0", "x-1", "y-0", "y-1", "y-2"]);
    });
  }

  it("range gives contiguous ranges, the first members one more", () => {
    const a = assign("range", [member("b", ["t"]), member("a", ["t"])], counts([["t", 5]]));
    expect(a.get("a")!.map((tp) => tp.partition)).toEqual([0, 1, 2]);
    expect(a.get("b")!.map((tp) => tp.partition)).toEqual([3, 4]);
  });

  it("roundrobin deals partitions in turn", () => {
    const a = assign("roundrobin", [member("a", ["t"]), member("b", ["t"])], counts([["t", 4]]));
    expect(a.get("a")!.map((tp) => tp.partition)).toEqual([0, 2]);
  });

  it("sticky moves only what the new member needs", () => {
    const before = [member("a", ["t"], [0, 1, 2].map((p) => ({ topic: "t", partition: p }))), member("b", ["t"], [3, 4, 5].map((p) => ({ topic: "t", partition: p })))];
    const after = assign("sticky", [...before, member("c", ["t"])], counts([["t", 6]]));
    const kept = [...after.get("a")!, ...after.get("b")!].length;
    expect(kept).toBe(4); // two partitions moved to c, four stayed put
    expect(after.get("a")!.every((tp) => tp.partition <= 2)).toBe(true);
    expect(after.get("c")).toHaveLength(2);
  });

  it("leaves a member with nothing when there are more members than partitions", () => {
    const a = assign("range", [member("a", ["t"]), member("b", ["t"])], counts([["t", 1]]));
    expect(flat(a)).toEqual(["t-0"]);
  });
});
