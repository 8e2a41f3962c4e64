import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Controller } from "../../src/controller/controller";
import { call, createTopic, fetchStrings, V3 } from "../helpers";

describe("the cluster", () => {
  it("lists itself and its three development brokers in placement order", async () => {
    const clusters = await call("GET", "/v3/clusters");
    expect(clusters.body.data.map((c: any) => c.cluster_id)).toEqual(["runnel-local"]);
    expect((await call("GET", V3)).body.cluster_id).toBe("runnel-local");
    const brokers = await call("GET", `${V3}/brokers`);
    expect(brokers.body.data.map((b: any) => b.broker_id)).toEqual([0, 1, 2]);
    expect((await call("GET", `${V3}/brokers/7`)).body.error_code).toBe(40406);
  });
});

describe("topics", () => {
  it("are created with their partitions, listed, described and deleted", async () => {
    const created = await call("POST", `${V3}/topics`, { topic_name: "tp-life", partitions_count: 3 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ topic_name: "tp-life", partitions_count: 3, replication_factor: 1 });
    const listed = await call("GET", `${V3}/topics`);
    expect(listed.body.data.map((t: any) => t.topic_name)).toContain("tp-life");
    const partitions = await call("GET", `${V3}/topics/tp-life/partitions`);
    expect(partitions.body.data.map((p: any) => [p.partition_id, p.leader.broker_id])).toEqual([[0, 0], [1, 1], [2, 2]]);
    expect(partitions.body.data[0]).toMatchObject({ log_start_offset: 0, high_watermark: 0, log_end_offset: 0, isr: [{ broker_id: 0 }] });
    expect((await call("DELETE", `${V3}/topics/tp-life`)).status).toBe(204);
    expect((await call("GET", `${V3}/topics/tp-life`)).body.error_code).toBe(40401);
    expect((await call("DELETE", `${V3}/topics/tp-life`)).body.error_code).toBe(40401);
  });

  it("come back empty when deleted and created again under the same name", async () => {
    await createTopic("tp-again", 2);
    await call("POST", "/topics/tp-again", { records: [{ value: "old", partition: 0 }, { value: "old", partition: 1 }] });
    const oldId = (await call("GET", `${V3}/topics/tp-again`)).body.topic_id;
    await call("DELETE", `${V3}/topics/tp-again`);
    await createTopic("tp-again", 2);
    expect((await call("GET", `${V3}/topics/tp-again`)).body.topic_id).not.toBe(oldId);
    expect((await fetchStrings("tp-again", 0, 0)).body).toMatchObject({ records: [], high_watermark: 0 });
    await call("POST", "/topics/tp-again", { records: [{ value: "new", partition: 0 }] });
    expect((await fetchStrings("tp-again", 0, 0)).body.records.map((r: any) => r.value)).toEqual(['"new"']);
  });

  it("refuse a second topic of the same name with 40002", async () => {
    await createTopic("tp-dup");
    const res = await call("POST", `${V3}/topics`, { topic_name: "tp-dup", partitions_count: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 40002, error_name: "TOPIC_ALREADY_EXISTS" });
  });

  it("refuse bad names, counts, replication factors and configs with Kafka's name for each, and create nothing", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ topic_name: "has space", partitions_count: 1 }, "INVALID_TOPIC_EXCEPTION"],
      [{ topic_name: "..", partitions_count: 1 }, "INVALID_TOPIC_EXCEPTION"],
      [{ topic_name: "x".repeat(250), partitions_count: 1 }, "INVALID_TOPIC_EXCEPTION"],
      [{ topic_name: "tp-zero", partitions_count: 0 }, "INVALID_PARTITIONS"],
      [{ topic_name: "tp-frac", partitions_count: 1.5 }, "INVALID_REQUEST"], // not an integer: a malformed body
      [{ topic_name: "tp-huge", partitions_count: 100_000 }, "INVALID_PARTITIONS"],
      [{ topic_name: "tp-rf", partitions_count: 1, replication_factor: 4 }, "INVALID_REPLICATION_FACTOR"],
      [{ topic_name: "tp-cfg", partitions_count: 1, configs: [{ name: "retention.ms", value: "soon" }] }, "INVALID_CONFIG"],
      [{ partitions_count: 1 }, "INVALID_REQUEST"],
    ];
    for (const [body, name] of bad) {
      for (const validateOnly of [false, true]) {
        const res = await call("POST", `${V3}/topics`, { ...body, ...(validateOnly ? { validate_only: true } : {}) });
        expect([res.status, res.body.error_code, res.body.error_name], `${JSON.stringify(body)} validate_only ${validateOnly}`).toEqual([400, 400, name]);
      }
    }
    const rf = await call("POST", `${V3}/topics`, { topic_name: "tp-rf", partitions_count: 1, replication_factor: 4 });
    expect(rf.body.message).toMatch(/larger than the 3 available brokers/);
    const names = (await call("GET", `${V3}/topics`)).body.data.map((t: any) => t.topic_name);
    expect(names.filter((n: string) => n.startsWith("tp-z") || n.startsWith("tp-f") || n.startsWith("tp-h") || n === "tp-rf" || n === "tp-cfg")).toEqual([]);
  });

  it("are refused past the cluster's topic limit, creating nothing", async () => {
    const controller = env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
    const existing = (await call("GET", `${V3}/topics`)).body.data.length;
    await runInDurableObject(controller, (instance: Controller) => {
      instance.topicsCountMax = existing + 1;
    });
    try {
      await createTopic("tp-limit-ok");
      const res = await call("POST", `${V3}/topics`, { topic_name: "tp-limit-over", partitions_count: 1 });
      expect(res.body).toMatchObject({ error_code: 400, error_name: "POLICY_VIOLATION", message: expect.stringMatching(/most topics allowed/) });
      expect((await call("GET", `${V3}/topics/tp-limit-over`)).body.error_code).toBe(40401);
    } finally {
      await runInDurableObject(controller, (instance: Controller) => {
        instance.topicsCountMax = 10_000;
      });
    }
  });

  it("grow their partition count but never shrink it", async () => {
    await createTopic("tp-grow", 2);
    const grown = await call("PATCH", `${V3}/topics/tp-grow`, { partitions_count: 5 });
    expect(grown.body.partitions_count).toBe(5);
    const res = await call("POST", "/topics/tp-grow/partitions/4", { records: [{ value: 1 }] });
    expect(res.body.offsets[0]).toMatchObject({ partition: 4, offset: 0 });
    const shrink = await call("PATCH", `${V3}/topics/tp-grow`, { partitions_count: 3 });
    expect(shrink.body).toMatchObject({ error_code: 400, error_name: "INVALID_PARTITIONS", message: expect.stringMatching(/only grow/) });
  });
});

describe("topic configs", () => {
  it("list every config with defaults and overrides", async () => {
    await createTopic("cfg-list", 1, [{ name: "retention.ms", value: "1000" }]);
    const res = await call("GET", `${V3}/topics/cfg-list/configs`);
    const byName = Object.fromEntries(res.body.data.map((c: any) => [c.name, c]));
    expect(byName["retention.ms"]).toMatchObject({ value: "1000", is_default: false });
    expect(byName["segment.bytes"]).toMatchObject({ value: "1073741824", is_default: true });
    expect(byName["cleanup.policy"].value).toBe("delete");
  });

  it("are altered all together, and reset to default with a null value", async () => {
    await createTopic("cfg-alter");
    const res = await call("POST", `${V3}/topics/cfg-alter/configs:alter`, { data: [{ name: "retention.bytes", value: "5000" }, { name: "compression.type", value: "gzip" }] });
    expect(res.status).toBe(204);
    const one = await call("GET", `${V3}/topics/cfg-alter/configs/retention.bytes`);
    expect(one.body.value).toBe("5000");
    await call("POST", `${V3}/topics/cfg-alter/configs:alter`, { data: [{ name: "retention.bytes", value: null }] });
    expect((await call("GET", `${V3}/topics/cfg-alter/configs/retention.bytes`)).body).toMatchObject({ value: "-1", is_default: true });
  });

  it("refuse an invalid value with a 400 naming the config, changing nothing", async () => {
    await createTopic("cfg-bad");
    const res = await call("POST", `${V3}/topics/cfg-bad/configs:alter`, { data: [{ name: "segment.ms", value: "100" }, { name: "retention.ms", value: "soon" }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, error_name: "INVALID_CONFIG", message: "invalid value 'soon' for config 'retention.ms': must be an integer" });
    expect((await call("GET", `${V3}/topics/cfg-bad/configs/segment.ms`)).body.is_default).toBe(true);
    const unknown = await call("POST", `${V3}/topics`, { topic_name: "cfg-unknown", partitions_count: 1, configs: [{ name: "no.such", value: "1" }] });
    expect(unknown.body).toMatchObject({ error_code: 400, message: "unknown topic config 'no.such'" });
    expect((await call("GET", `${V3}/topics/cfg-unknown`)).body.error_code).toBe(40401);
  });

  it("take effect on produce at once: a lowered max.message.bytes refuses larger records", async () => {
    await createTopic("cfg-live");
    expect((await call("POST", "/topics/cfg-live", { records: [{ value: "x".repeat(500) }] })).status).toBe(200);
    await call("POST", `${V3}/topics/cfg-live/configs:alter`, { data: [{ name: "max.message.bytes", value: "200" }] });
    expect((await call("POST", "/topics/cfg-live", { records: [{ value: "x".repeat(500) }] })).status).toBe(413);
  });
});
