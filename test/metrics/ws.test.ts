import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { fill, waitFor } from "../group/helpers";
import { scrape, scrapeUntil } from "./helpers";

type Frame = Record<string, any>;

/** Whether no delivery pump runs in the group. */
function settled(group: string): Promise<boolean> {
  const stub = env.GROUPS.get(env.GROUPS.idFromName(group)) as unknown as DurableObjectStub;
  return runInDurableObject<DurableObject, boolean>(stub, (instance) => (instance as any).delivery.idle() as boolean);
}

afterAll(async () => {
  await call("DELETE", `${V3}/topics/mws-topic`);
  await waitFor("the group's pumps to stop", () => settled("mws-g"), 10_000);
});

async function subscriber(group: string, query: string) {
  const res = await SELF.fetch(`http://runnel.test/ws/v1/consumer/${group}?${query}`, { headers: { upgrade: "websocket", "sec-websocket-protocol": "runnel.v1" } });
  if (res.status !== 101) throw new Error(`upgrade: ${res.status} ${await res.text()}`);
  const ws = res.webSocket!;
  ws.accept();
  const frames: Frame[] = [];
  ws.addEventListener("message", (e) => {
    if (e.data !== "pong") frames.push(JSON.parse(e.data as string));
  });
  const records = () => frames.filter((f) => f.type === "records").reduce((n, f) => n + f.records.length, 0);
  return { ws, records };
}

describe("WebSocket metrics", () => {
  it("count open subscribers and the records delivered to them, and keep the count once the coordinator restarts", async () => {
    await createTopic("mws-topic", 2);
    await fill("mws-topic", 2, 4);
    const s = await subscriber("mws-g", "topics=mws-topic&auto_offset_reset=earliest&permits=100&format=json");
    await waitFor("eight records", () => s.records() === 8);
    const m = await scrape();
    expect(m.value("runnel_websocket_subscribers", { group: "mws-g" })).toBe(1);
    expect(m.value("runnel_websocket_records_delivered_total", { group: "mws-g", topic: "mws-topic" })).toBe(8);
    expect(m.value("runnel_group_members", { group: "mws-g" })).toBe(1);
    expect(m.value("runnel_partition_records_out_total", { topic: "mws-topic", partition: 0, broker: 0 })).toBe(4);

    s.ws.close(1000, "bye");
    // Leaving is batched with other changes (group-compat): the member goes within a rebalance's wait.
    const gone = (x: Awaited<ReturnType<typeof scrape>>) => x.value("runnel_websocket_subscribers", { group: "mws-g" }) === 0 && x.value("runnel_group_members", { group: "mws-g" }) === 0;
    const after = await scrapeUntil("the socket and its member gone", (x) => gone(x) && x);
    expect(after.value("runnel_websocket_records_delivered_total", { group: "mws-g", topic: "mws-topic" })).toBe(8);
    await waitFor("the group's pumps to stop", () => settled("mws-g"));
    // The coordinator's memory goes; its counts were stored.
    await evictDurableObject(env.GROUPS.get(env.GROUPS.idFromName("mws-g")));
    expect((await scrape()).value("runnel_websocket_records_delivered_total", { group: "mws-g", topic: "mws-topic" })).toBe(8);
  });
});
