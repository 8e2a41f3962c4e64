import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every TypeScript file of the Worker and its objects (not the client, the console's page or the front door: they call HTTP). */
function workerSources(dir = join(root, "src")): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(root, path);
    if (["src/client", "src/cli", "src/console/ui", "src/gateway"].includes(rel)) continue;
    if (statSync(path).isDirectory()) out.push(...workerSources(path));
    else if (name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

const offenders = (pattern: RegExp, allowed: string[]) =>
  workerSources().filter((file) => !allowed.includes(file) && pattern.test(readFileSync(join(root, file), "utf8")));

describe("one way to call an object", () => {
  it("makes stubs in one place: src/rpc/objects.ts (and the development build's faults)", () => {
    expect(offenders(/\.idFromName\(|\.newUniqueId\(|\.idFromString\(/, ["src/rpc/objects.ts", "src/faults/call-faults.ts"])).toEqual([]);
  });

  it("has one base object: only src/rpc/runnel-object.ts extends the runtime's DurableObject (the one entrypoint other Workers bind to is not an object)", () => {
    expect(offenders(/from "cloudflare:workers"/, ["src/rpc/runnel-object.ts", "src/service/runnel-service.ts"])).toEqual([]);
    expect(offenders(/extends DurableObject\b/, ["src/rpc/runnel-object.ts"])).toEqual([]);
  });

  it("calls the segment bucket (R2) only through src/tiered/bucket.ts, whose calls never throw", () => {
    expect(offenders(/SEGMENTS\s*\.\s*\w+\(|\.(createMultipartUpload|resumeMultipartUpload)\(/, ["src/tiered/bucket.ts"])).toEqual([]);
  });

  it("sets alarms only through the alarm clock", () => {
    expect(offenders(/\.(setAlarm|getAlarm|deleteAlarm)\(/, ["src/rpc/alarm-clock.ts"])).toEqual([]);
  });
});
