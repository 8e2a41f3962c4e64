import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every folder of src/ (the console's generated assets aside: they are built, not written). */
function folders(dir = "src"): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (!statSync(join(root, path)).isDirectory() || name === "generated") return [];
    return [`${path}/`, ...folders(path)];
  });
}

describe("the README's layout section", () => {
  it("names every folder of src/, so the owner of any state can be found from the names", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const layout = readme.slice(readme.indexOf("## Layout"), readme.indexOf("\n## ", readme.indexOf("## Layout") + 1));
    expect(folders().filter((f) => !layout.includes(f))).toEqual([]);
  });
});
