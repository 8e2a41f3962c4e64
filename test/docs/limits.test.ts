import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error a plain .mjs script without types
import { limitsDoc } from "../../scripts/limits-doc.mjs";

describe("docs/limits.md", () => {
  it("is what scripts/limits-doc.mjs makes of src/limits.ts (run it with --write after changing a limit)", () => {
    expect(readFileSync(new URL("../../docs/limits.md", import.meta.url), "utf8")).toBe(limitsDoc());
  });
});
