// `__proto__`, `constructor` and `prototype` anywhere in a request never
// pollute a prototype or change what the request does: each request gets
// a clear 4xx or the correct 2xx, and afterwards no prototype has changed,
// in the Worker or inside any object.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { b64, call, createTopic, V3 } from "../helpers";
import { highWatermark } from "./hostile-helpers";
import { accessStub, controllerStub, faultsStub, groupStub, replicaStub } from "../stubs";

const POISON = { polluted: "yes", disabled: true, mode: "down", permission: "ALLOW", request_rate: 1 };
const NAMES = ["__proto__", "constructor", "prototype"] as const;

/** A body with `name` as an own key holding poison, written as JSON text (JSON.stringify would drop `__proto__`). */
function withKey(body: Record<string, unknown>, name: string): string {
  return `${JSON.stringify(body).slice(0, -1)}${Object.keys(body).length > 0 ? "," : ""}"${name}":${JSON.stringify(POISON)}}`;
}

/** What the prototypes look like; compared before and after. */
function prototypes() {
  return {
    object: Object.getOwnPropertyNames(Object.prototype).sort(),
    array: Object.getOwnPropertyNames(Array.prototype).sort(),
    function: Object.getOwnPropertyNames(Function.prototype).sort(),
    polluted: [({}) as Record<string, unknown>, [] as unknown as Record<string, unknown>, Object.create({}) as Record<string, unknown>].map((o) => o.polluted),
  };
}

function expectClear(res: { status: number; body: any }, what: string, ok: number[] = []) {
  if (ok.includes(res.status)) return;
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  const { error_name: name, ...body } = res.body;
  expect(body, what).toEqual({ error_code: expect.any(Number), message: expect.any(String) });
  if (name !== undefined) expect(name, what).toMatch(/^[A-Z][A-Z_]+$/);
}

describe("prototype keys in requests", () => {
  const before = prototypes();

  it("in records (the record, its key and value specs, headers, JSON data) are refused or stored exactly as sent", async () => {
    await createTopic("proto-records", 1, [{ name: "retention.ms", value: "-1" }]);
    const value = { type: "STRING", data: "v" };
    for (const name of NAMES) {
      expectClear(await call("POST", `${V3}/topics/proto-records/records`, withKey({ value }, name)), `v3 record ${name}`);
      expectClear(await call("POST", `${V3}/topics/proto-records/records`, `{"value":${withKey(value, name)}}`), `v3 value spec ${name}`);
      expectClear(await call("POST", `${V3}/topics/proto-records/records`, `{"value":${JSON.stringify(value)},"headers":[${withKey({ name: "h", value: b64("x") }, name)}]}`), `header ${name}`);
      expectClear(await call("POST", "/topics/proto-records", withKey({ records: [{ value: 1 }] }, name)), `v2 body ${name}`);
      expectClear(await call("POST", "/topics/proto-records", `{"records":[${withKey({ value: 1 }, name)}]}`), `v2 record ${name}`);
      expectClear(await call("POST", `${V3}/topics/proto-records/records:batch`, `{"entries":[${withKey({ id: "a", value }, name)}]}`), `batch entry ${name}`, [207]);
    }
    expect(await highWatermark("proto-records")).toBe(0);
    // As data they are just data: a JSON value and a header named __proto__ come back as sent.
    const data = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}`;
    const put = await call("POST", `${V3}/topics/proto-records/records`, `{"value":{"type":"JSON","data":${data}},"headers":[{"name":"__proto__","value":"${b64("x")}"}]}`);
    expect(put.status).toBe(200);
    const got = await call("GET", `${V3}/topics/proto-records/partitions/0/records?offset=0&format=string`);
    expect(got.body.records).toHaveLength(1);
    expect(JSON.parse(got.body.records[0].value)).toEqual(JSON.parse(data));
    expect(got.body.records[0].headers).toEqual([{ name: "__proto__", value: b64("x") }]);
  });

  it("in topic, config and partition bodies are refused, and change nothing", async () => {
    await createTopic("proto-configs");
    for (const name of NAMES) {
      expectClear(await call("POST", `${V3}/topics`, withKey({ topic_name: `proto-made-${name.length}`, partitions_count: 1 }, name)), `create ${name}`);
      expectClear(await call("POST", `${V3}/topics`, { topic_name: "proto-cfg", configs: [{ name, value: "1" }] }), `config named ${name}`);
      expectClear(await call("POST", `${V3}/topics`, `{"topic_name":"proto-cfg","configs":[${withKey({ name: "retention.ms", value: "1" }, name)}]}`), `config entry ${name}`);
      expectClear(await call("POST", `${V3}/topics/proto-configs/configs:alter`, { data: [{ name, value: "1" }] }), `alter ${name}`);
      expectClear(await call("PUT", `${V3}/topics/proto-configs/configs/${name}`, { value: "1" }), `put ${name}`);
      expectClear(await call("PATCH", `${V3}/topics/proto-configs`, withKey({ partitions_count: 2 }, name)), `patch ${name}`);
    }
    const topic = await call("GET", `${V3}/topics/proto-configs`);
    expect(topic.body.partitions_count).toBe(1);
    const configs = await call("GET", `${V3}/topics/proto-configs/configs`);
    expect(configs.body.data.every((c: { is_default: boolean }) => c.is_default)).toBe(true);
    expect((await call("GET", `${V3}/topics/proto-cfg`)).status).toBe(404);
  });

  it("as topic and group names are ordinary names: created, written, read, described and deleted", async () => {
    for (const name of NAMES) {
      expect((await call("POST", `${V3}/topics`, { topic_name: name, partitions_count: 1 })).status, name).toBe(201);
      expect((await call("POST", `${V3}/topics/${name}/records`, { value: { type: "STRING", data: name } })).status, name).toBe(200);
      const got = await call("GET", `${V3}/topics/${name}/partitions/0/records?offset=0&format=string`);
      expect(got.body.records.map((r: { value: string }) => r.value), name).toEqual([name]);
      expect((await call("GET", `${V3}/topics/${name}`)).body.topic_name).toBe(name);
      expect((await call("GET", `/topics/${name}`)).body.name).toBe(name);
      const consumer = await call("POST", `/consumers/${name}`, `{"name":"${name}","format":"binary","auto.offset.reset":"earliest"}`);
      expect(consumer.status, `consumer ${name}: ${JSON.stringify(consumer.body)}`).toBe(200);
      expect((await call("DELETE", `/consumers/${name}/instances/${name}`)).status).toBe(204);
      expect((await call("GET", `${V3}/consumer-groups/${name}`)).status).toBeLessThan(500);
      expect((await call("DELETE", `${V3}/topics/${name}`)).status, name).toBe(204);
    }
  });

  // Keys and ACLs are refused when served open, as here: their bodies are tried with authentication on (test/access/prototype.test.ts).
  it("in quota and fault bodies are refused or ignored, and grant nothing", async () => {
    for (const name of NAMES) {
      expectClear(await call("PUT", `${V3}/quotas/User:${name}`, withKey({ request_rate: 1_000 }, name)), `quota ${name}`);
      expectClear(await call("PUT", `${V3}/quotas/User:${name}`, withKey({}, name)), `empty quota ${name}`);
      expectClear(await call("POST", `${V3}/brokers/0/faults`, withKey({}, name)), `fault ${name}`);
    }
    expect((await call("GET", `${V3}/quotas`)).body.data).toEqual([]);
    // No broker was taken down by a poisoned fault body: a produce still works.
    await createTopic("proto-alive");
    expect((await call("POST", `${V3}/topics/proto-alive/records`, { value: { type: "STRING", data: "ok" } })).status).toBe(200);
  });

  it("in consumer bodies are refused or ignored", async () => {
    await createTopic("proto-consume");
    const made = await call("POST", "/consumers/proto-group", withKey({ name: "c1", format: "binary" }, "__proto__"));
    expectClear(made, "consumer create", [200]);
    const base = "/consumers/proto-group/instances/c1";
    if (made.status === 200) {
      for (const name of NAMES) {
        expectClear(await call("POST", `${base}/subscription`, withKey({ topics: ["proto-consume"] }, name)), `subscribe ${name}`, [204]);
        expectClear(await call("POST", `${base}/offsets`, `{"offsets":[${withKey({ topic: "proto-consume", partition: 0, offset: 0 }, name)}]}`), `commit ${name}`, [200, 204]);
        expectClear(await call("POST", `${base}/positions`, `{"offsets":[${withKey({ topic: "proto-consume", partition: 0, offset: 0 }, name)}]}`), `seek ${name}`, [204]);
      }
    }
    expectClear(await call("POST", `${V3}/consumer-groups/proto-group/offsets:reset`, withKey({ topic: "proto-consume", to: "earliest" }, "__proto__")), "reset", [200]);
  });

  it("leave every prototype as it was, in the Worker and inside every kind of object", async () => {
    expect(prototypes()).toEqual(before);
    expect(before.polluted).toEqual([undefined, undefined, undefined]);
    const topic = (await call("GET", `${V3}/topics/proto-records`)).body;
    const stubs: DurableObjectStub[] = [
      controllerStub(env),
      accessStub(env),
      faultsStub(env),
      groupStub(env, "proto-group") as unknown as DurableObjectStub,
      replicaStub(env, topic.topic_id, 0, 0) as unknown as DurableObjectStub,
    ];
    for (const stub of stubs) expect(await runInDurableObject(stub, () => prototypes())).toEqual(before);
  });
});
