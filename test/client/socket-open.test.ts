// A WebSocket may hand over frames in the same tick as "open" (the ws
// package does when the server's first frame arrives with the upgrade
// answer and compression is off). The consumer starts listening a few
// ticks later; frames and a close that came in between must still reach it.
import { describe, expect, it } from "vitest";
import { Runnel, RunnelError } from "../../src/client/index";

type Listener = (event: unknown) => void;

/** A socket that opens and then, in that same tick, delivers `script`'s frames (and closes, if it says so). */
function sameTickSocket(script: { frames: object[]; closeCode?: number }) {
  return class SameTick {
    readyState = 0;
    readonly sent: string[] = [];
    private readonly listeners = new Map<string, Listener[]>();

    constructor() {
      setTimeout(() => {
        this.readyState = 1;
        this.emit("open", {});
        for (const frame of script.frames) this.emit("message", { data: JSON.stringify(frame) });
        if (script.closeCode !== undefined) {
          this.readyState = 3;
          this.emit("close", { code: script.closeCode, reason: "closed by the test server" });
        }
      }, 0);
    }

    addEventListener(type: string, listener: Listener) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }

    send(data: string) {
      this.sent.push(data);
    }

    close(code = 1000) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      setTimeout(() => this.emit("close", { code, reason: "" }), 0);
    }

    private emit(type: string, event: unknown) {
      for (const listener of this.listeners.get(type) ?? []) listener(event);
    }
  };
}

const record = { topic: "t", partition: 0, offset: 7, timestamp: 1, key: null, value: "first", headers: [] };

describe("a consumer's socket that delivers frames in the tick it opens", () => {
  it("keeps the assignment and the records that came before it listened", async () => {
    const assignment = { type: "assignment", generation: 1, partitions: [{ topic: "t", partition: 0, offset: 7 }] };
    const frames = [assignment, { type: "records", topic: "t", partition: 0, records: [record] }];
    const runnel = new Runnel({ url: "http://runnel.test", WebSocket: sameTickSocket({ frames }) });
    const consumer = runnel.consumer({ group: "g", topics: ["t"], autoCommit: false });
    const first = await consumer.next();
    expect(first.value).toMatchObject({ partition: 0, offset: 7, value: "first" });
    expect(consumer.assignment()).toEqual([{ topic: "t", partition: 0, offset: 7 }]);
    await consumer.close();
  });

  it("keeps a close that came before it listened: a 4403 fails the consumer instead of hanging it", async () => {
    const runnel = new Runnel({ url: "http://runnel.test", WebSocket: sameTickSocket({ frames: [], closeCode: 4403 }) });
    const consumer = runnel.consumer({ group: "g", topics: ["t"], autoCommit: false });
    const error = await consumer.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunnelError);
    expect([(error as RunnelError).status, (error as RunnelError).errorCode]).toEqual([403, 40301]);
    expect((error as RunnelError).message).toBe("closed by the test server");
  });
});
