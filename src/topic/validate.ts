/** Validation of topic names, counts and config lists. Each returns what is wrong, or null. */
import { limits } from "../limits";
import { configProblem, isConfigName, type ConfigOverrides } from "./configs";
import type { ConfigChange } from "./types";

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic-name rule: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
export function topicNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "topic_name must be a non-empty string";
  if (name.length > limits.topicNameLengthMax) return `topic_name is longer than ${limits.topicNameLengthMax} characters`;
  if (!TOPIC_NAME.test(name)) return `topic_name '${name}' may hold only ASCII letters, digits, '.', '_' and '-'`;
  if (name === "." || name === "..") return `topic_name cannot be '${name}'`;
  return null;
}

/** An integer field in [min, max], both inclusive. */
export function integerProblem(field: string, value: unknown, min: number, max: number): string | null {
  if (typeof value !== "number" || !Number.isInteger(value)) return `${field} must be an integer`;
  if (value < min || value > max) return `${field} must be between ${min} and ${max}, got ${value}`;
  return null;
}

/** Parses `[{"name","value"}]` into overrides, or says what is wrong. */
export function parseConfigList(list: unknown): ConfigOverrides | string {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) return "configs must be an array of {name, value}";
  const out: Record<string, string> = {};
  for (const entry of list as unknown[]) {
    if (typeof entry !== "object" || entry === null) return "configs must be an array of {name, value}";
    const { name, value } = entry as { name?: unknown; value?: unknown };
    if (typeof name !== "string") return "every config needs a string name";
    const problem = configProblem(name, value);
    if (problem !== null) return problem;
    if (Object.hasOwn(out, name)) return `config '${name}' is given twice`;
    out[name] = value as string;
  }
  return out;
}

/** Parses configs:alter's `[{"name","value"|null,"operation"?}]`, or says what is wrong. */
export function parseConfigChanges(list: unknown): ConfigChange[] | string {
  if (!Array.isArray(list) || list.length === 0) return "data must be a non-empty array of {name, value}";
  const seen = new Set<string>();
  const out: ConfigChange[] = [];
  for (const entry of list as unknown[]) {
    if (typeof entry !== "object" || entry === null) return "data must be an array of {name, value}";
    const { name, value, operation } = entry as { name?: unknown; value?: unknown; operation?: unknown };
    if (typeof name !== "string") return "every config needs a string name";
    if (seen.has(name)) return `config '${name}' is given twice`;
    seen.add(name);
    if (operation !== undefined && operation !== "SET" && operation !== "DELETE") return `operation for '${name}' must be SET or DELETE`;
    const reset = operation === "DELETE" || value === null;
    const problem = reset ? (isConfigName(name) ? null : `unknown topic config '${name}'`) : configProblem(name, value);
    if (problem !== null) return problem;
    out.push({ name, value: reset ? null : (value as string) });
  }
  return out;
}
