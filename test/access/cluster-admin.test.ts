// The HTTP routes behind Kafka's admin APIs, with authentication on, each
// authorized as Kafka authorizes its API: a broker's configs → DESCRIBE_CONFIGS
// on the cluster, log dirs → DESCRIBE on the cluster, a partition's producers
// → READ on the topic, where a leader epoch ends → DESCRIBE on the topic.
import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { adminTopic, allow, as, keyFor } from "./helpers";

describe("Kafka's admin reads over HTTP with authentication on", () => {
  it("are denied without the operation Kafka asks, named for the resource, and allowed with it", async () => {
    await adminTopic("caa-t");
    const lee = await keyFor("User:lee-caa");
    const paths = {
      configs: `${V3}/brokers/0/configs`,
      logDirs: `${V3}/log-dirs?topic_name=caa-t`,
      producers: `${V3}/topics/caa-t/partitions/0/producers`,
      epochs: `${V3}/topics/caa-t/partitions/0/leader-epochs/0`,
    };
    const denied = async (path: string) => {
      const res = await as(lee, "GET", path);
      return [res.status, res.body.error_name];
    };
    expect(await denied(paths.configs)).toEqual([403, "CLUSTER_AUTHORIZATION_FAILED"]);
    expect(await denied(paths.logDirs)).toEqual([403, "CLUSTER_AUTHORIZATION_FAILED"]);
    expect(await denied(paths.producers)).toEqual([403, "TOPIC_AUTHORIZATION_FAILED"]);
    expect(await denied(paths.epochs)).toEqual([403, "TOPIC_AUTHORIZATION_FAILED"]);

    await allow("User:lee-caa", "CLUSTER", "kafka-cluster", "DESCRIBE_CONFIGS");
    await allow("User:lee-caa", "TOPIC", "caa-t", "DESCRIBE");
    expect((await as(lee, "GET", paths.configs)).status).toBe(200);
    expect((await as(lee, "GET", paths.epochs)).status).toBe(200);
    expect(await denied(paths.logDirs)).toEqual([403, "CLUSTER_AUTHORIZATION_FAILED"]); // DESCRIBE_CONFIGS is not DESCRIBE
    expect(await denied(paths.producers)).toEqual([403, "TOPIC_AUTHORIZATION_FAILED"]); // DESCRIBE is not READ

    await allow("User:lee-caa", "CLUSTER", "kafka-cluster", "DESCRIBE");
    await allow("User:lee-caa", "TOPIC", "caa-t", "READ");
    expect((await as(lee, "GET", paths.logDirs)).body.data).toHaveLength(1);
    expect((await as(lee, "GET", paths.producers)).body.data).toEqual([]);
  });
});
