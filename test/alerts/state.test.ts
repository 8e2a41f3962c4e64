import { describe, expect, it } from "vitest";
import { parseAlertRule } from "../../src/alerts/alert-rules";
import { evaluate, firesAtMs, nextAttemptMs } from "../../src/alerts/alert-state";

const rule = { name: "r", threshold: 10, forMs: 1_000 };
const inactive = { status: "inactive" as const, sinceMs: null, value: null, evaluatedAtMs: null };

describe("one evaluation of a rule", () => {
  it("goes pending above the threshold, fires once it stayed above for for_ms, and resolves when it clears", () => {
    const a = evaluate(rule, inactive, 11, 100);
    expect(a).toEqual({ next: { status: "pending", sinceMs: 100, value: 11, evaluatedAtMs: 100 }, notice: null });
    expect(firesAtMs(rule, a.next)).toBe(1_100);
    const b = evaluate(rule, a.next, 12, 1_099);
    expect(b.next.status).toBe("pending");
    const c = evaluate(rule, b.next, 13, 1_100);
    expect(c).toEqual({ next: { status: "firing", sinceMs: 100, value: 13, evaluatedAtMs: 1_100 }, notice: { alert: "r", status: "firing", value: 13, since: 100 } });
    const d = evaluate(rule, c.next, 50, 2_000);
    expect(d.notice).toBeNull(); // firing already: no second notice
    const e = evaluate(rule, d.next, 10, 3_000); // at the threshold is not above it
    expect(e).toEqual({ next: { status: "inactive", sinceMs: null, value: 10, evaluatedAtMs: 3_000 }, notice: { alert: "r", status: "resolved", value: 10, since: 3_000 } });
  });

  it("fires at once with for_ms 0, ends a pending rule quietly, and changes nothing on a value it could not measure", () => {
    expect(evaluate({ ...rule, forMs: 0 }, inactive, 11, 5).notice).toEqual({ alert: "r", status: "firing", value: 11, since: 5 });
    const pending = evaluate(rule, inactive, 11, 100).next;
    expect(evaluate(rule, pending, 1, 200)).toEqual({ next: { status: "inactive", sinceMs: null, value: 1, evaluatedAtMs: 200 }, notice: null });
    const firing = evaluate({ ...rule, forMs: 0 }, inactive, 11, 5).next;
    expect(evaluate(rule, firing, null, 10)).toEqual({ next: { ...firing, value: null, evaluatedAtMs: 10 }, notice: null });
    expect(evaluate(rule, pending, null, 5_000).next.status).toBe("pending"); // unknown is not "still above"
  });
});

describe("the retry schedule of a failed delivery", () => {
  const policy = { firstMs: 1_000, pauseMsMax: 60_000, retryForMs: 600_000 };
  it("doubles the pause from the first, up to the longest, and gives up only after retryForMs", () => {
    const pauses = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => nextAttemptMs(0, n, 10_000, policy)! - 10_000);
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(nextAttemptMs(0, 30, 599_999, policy)).toBe(659_999);
    expect(nextAttemptMs(0, 30, 600_000, policy)).toBeNull();
  });
});

describe("a new rule", () => {
  const good = { name: "lag-1", kind: "consumer_lag", target: "billing", threshold: 100, for_ms: 60_000, webhook_url: "https://hooks.example/x" };
  it("is taken when every field is right", () => {
    expect(parseAlertRule(good, 7)).toEqual({ name: "lag-1", kind: "consumer_lag", target: "billing", threshold: 100, forMs: 60_000, webhookUrl: "https://hooks.example/x", createdAtMs: 7 });
    expect(parseAlertRule({ ...good, kind: "storage_bytes", target: undefined }, 7)).toMatchObject({ target: null });
  });

  it.each([
    [{ name: "" }, /name/],
    [{ name: "a/b" }, /name/],
    [{ name: "x".repeat(129) }, /longer than 128/],
    [{ kind: "disk" }, /kind/],
    [{ target: undefined }, /needs target/],
    [{ kind: "under_replicated", target: "no spaces" }, /target must be a topic/],
    [{ threshold: -1 }, /threshold/],
    [{ threshold: "5" }, /threshold/],
    [{ kind: "produce_error_rate", target: null, threshold: 2 }, /fraction/],
    [{ for_ms: 1.5 }, /for_ms/],
    [{ for_ms: 86_400_001 }, /for_ms/],
    [{ webhook_url: "ftp://x/y" }, /http or https/],
    [{ webhook_url: "not a url" }, /not a URL/],
    [{ webhook_url: `https://x/${"a".repeat(2050)}` }, /longer than/],
    [{ extra: 1 }, /unknown field 'extra'/],
  ])("is refused when %j", (change, why) => {
    expect(parseAlertRule({ ...good, ...change }, 0)).toMatch(why);
  });
});
