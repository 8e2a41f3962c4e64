// What Kafka's DescribeConfigs of a broker and DescribeLogDirs read over
// HTTP: a broker's configs (Confluent's GET …/brokers/{b}/configs), and
// every partition's stored bytes on its leader (GET …/log-dirs, ext).
import { describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";

describe("GET …/brokers/{b}/configs", () => {
  it("lists Runnel's broker configs under Kafka's names, read-only; the topic defaults under their broker synonyms", async () => {
    const res = await call("GET", `${V3}/brokers/1/configs`);
    expect(res.status).toBe(200);
    const byName = new Map(res.body.data.map((c: { name: string }) => [c.name, c]));
    expect(byName.get("broker.id")).toMatchObject({ kind: "KafkaBrokerConfig", broker_id: 1, value: "1", is_default: false, is_read_only: true, source: "STATIC_BROKER_CONFIG" });
    expect(byName.get("log.retention.ms")).toMatchObject({ value: "604800000", is_default: true, is_read_only: true, is_sensitive: false, source: "DEFAULT_CONFIG" });
    expect(byName.get("message.max.bytes")).toMatchObject({ value: "1048588" });
    expect(byName.get("auto.create.topics.enable")).toMatchObject({ value: "false" });
    expect(byName.get("offsets.topic.num.partitions")).toMatchObject({ value: "50" });
    const names = res.body.data.map((c: { name: string }) => c.name);
    expect(names).toEqual([...names].sort());

    expect((await call("GET", `${V3}/brokers/1/configs/log.roll.ms`)).body).toMatchObject({ name: "log.roll.ms", value: "604800000" });
    expect((await call("GET", `${V3}/brokers/1/configs/no.such.config`)).status).toBe(404);
    expect((await call("GET", `${V3}/brokers/9/configs`)).body.error_code).toBe(40406);
  });
});

describe("GET …/log-dirs", () => {
  it("answers every partition's stored bytes on its leader, for the topics asked", async () => {
    await createTopic("ld-sizes", 2);
    const produced = await call("POST", `${V3}/topics/ld-sizes/records`, { partition_id: 0, value: { type: "STRING", data: "x".repeat(1000) } });
    expect(produced.status).toBe(200);
    const res = await call("GET", `${V3}/log-dirs?topic_name=ld-sizes&topic_name=ld-missing`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { topic_name: "ld-sizes", partition_id: 0, size_bytes: expect.any(Number), offset_lag: 0 },
      { topic_name: "ld-sizes", partition_id: 1, size_bytes: 0, offset_lag: 0 },
    ]);
    expect(res.body.data[0].size_bytes).toBeGreaterThan(1000);
    const all = await call("GET", `${V3}/log-dirs`);
    expect(all.body.data.filter((r: { topic_name: string }) => r.topic_name === "ld-sizes")).toHaveLength(2);
  });
});
