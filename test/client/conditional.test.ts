// The client's conditional sends (`send(…, {expectedOffset})`), its
// producer's fencing token and `admin.fence`, against the Worker in workerd.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Runnel, RunnelError } from "../../src/client/index";

const client = () => new Runnel({ url: "http://runnel.test", fetch: (input, init) => SELF.fetch(input, init) });

describe("the client's conditional appends", () => {
  it("appends at the expected offset or refuses with 40905 and the log end offset, keeping earlier sends first", async () => {
    const runnel = client();
    await runnel.admin().createTopic("c-cond", { partitions: 2 });
    const producer = runnel.producer({ lingerMs: 50 });
    const plain = producer.send("c-cond", [{ value: "a", partition: 1 }]); // lingers: the conditional send waits for it
    const at = await producer.send("c-cond", [{ value: "b", partition: 1 }, { value: "c", partition: 1 }], { expectedOffset: 1 });
    expect(await plain).toEqual([{ partition: 1, offset: 0 }]);
    expect(at).toEqual([{ partition: 1, offset: 1 }, { partition: 1, offset: 2 }]);
    const stale = await producer.send("c-cond", [{ value: "d", partition: 1 }], { expectedOffset: 1 }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(RunnelError);
    expect(stale).toMatchObject({ errorCode: 40905, status: 409, logEndOffset: 3 });
    const spread = await producer.send("c-cond", [{ value: "x", partition: 0 }, { value: "y", partition: 1 }], { expectedOffset: 0 }).catch((e: unknown) => e);
    expect(spread).toMatchObject({ errorCode: 400 });
    await expect(producer.send("c-cond", [{ value: "x", partition: 0 }], { expectedOffset: -1 })).rejects.toMatchObject({ errorCode: 400 });
    await producer.close();
    const fetched = await runnel.fetch("c-cond", 1, 0);
    expect(fetched.records.map((r) => r.value)).toEqual(["a", "b", "c"]);
  });

  it("sends its fencing token with every request and fails every send once another writer fenced the partition", async () => {
    const runnel = client();
    await runnel.admin().createTopic("c-fence");
    expect(await runnel.admin().fence("c-fence", 0, "w1")).toEqual({ token: "w1", offset: 0 });
    const first = runnel.producer({ fencingToken: "w1" });
    expect(await first.send("c-fence", [{ value: "a" }])).toEqual([{ partition: 0, offset: 1 }]);
    await runnel.admin().fence("c-fence", 0, "w2");
    await expect(first.send("c-fence", [{ value: "zombie" }])).rejects.toMatchObject({ errorCode: 40906, errorName: "PRODUCER_FENCED" });
    await expect(first.send("c-fence", [{ value: "zombie" }])).rejects.toMatchObject({ errorCode: 40906 });
    const second = runnel.producer({ fencingToken: "w2" });
    expect(await second.send("c-fence", [{ value: "b" }])).toEqual([{ partition: 0, offset: 3 }]);
    await second.close();
    expect(() => runnel.producer({ fencingToken: "" })).toThrow(RunnelError);
    expect((await runnel.fetch("c-fence", 0, 0)).records.map((r) => r.value)).toEqual(["a", "b"]); // fences are not records
  });
});
