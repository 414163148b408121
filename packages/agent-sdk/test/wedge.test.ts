import { afterEach, describe, expect, it } from "vitest";
import { Agent, isWedged, markWedged, resetWedgeForTests, WedgeDetector, wedgeReason } from "../src/index";

const agent = () =>
  new Agent({
    platformUrl: "http://127.0.0.1:9",
    workspaceId: "ws-1",
    tokenSource: () => "t".repeat(43),
    logger: quiet,
  });
const quiet = { info() {}, warn() {}, error() {} };

describe("wedge detector", () => {
  afterEach(() => resetWedgeForTests());

  it("is clean by default", () => {
    expect(isWedged()).toBe(false);
    expect(wedgeReason()).toBe("");
    expect(new WedgeDetector().isWedged()).toBe(false);
  });

  it("marking sets the flag and the reason", () => {
    markWedged("Control request timeout: initialize");
    expect(isWedged()).toBe(true);
    expect(wedgeReason()).toBe("Control request timeout: initialize");
  });

  it("keeps the first reason", () => {
    expect(markWedged("first")).toBe(true);
    expect(markWedged("second")).toBe(false);
    expect(wedgeReason()).toBe("first");
  });

  it("the task wrapper marks it on a `Control request timeout: initialize` error", async () => {
    const a = agent();
    await expect(
      a.runTask("init", () => {
        throw new Error("Control request timeout: initialize");
      }),
    ).rejects.toThrow("Control request timeout");
    expect(a.isWedged()).toBe(true);
    expect(isWedged()).toBe(true); // the process-wide detector
    expect(a.wedgeReason()).toBe("Control request timeout: initialize");
    expect(a.heartbeatPayload()).toMatchObject({
      runtimeState: "wedged",
      sampleError: "Control request timeout: initialize",
    });
  });

  it("the task wrapper does not mark it on an unrelated error", async () => {
    const a = agent();
    await expect(
      a.runTask("fetch", () => {
        throw new Error("ECONNRESET: socket hang up");
      }),
    ).rejects.toThrow("ECONNRESET");
    expect(a.isWedged()).toBe(false);
    expect(a.heartbeatPayload()).toMatchObject({
      runtimeState: "",
      sampleError: "ECONNRESET: socket hang up",
      errorRate: 1,
    });
  });
});

describe("task wrapper", () => {
  afterEach(() => resetWedgeForTests());

  it("tracks active tasks, the current task and a rolling error rate", async () => {
    const a = agent();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = a.runTask("slow one", () => gate);
    const fast = a.runTask("fast one", () => gate);
    expect(a.activeTasks()).toBe(2);
    expect(a.currentTask()).toBe("fast one");
    release();
    await Promise.all([slow, fast]);
    expect(a.activeTasks()).toBe(0);
    expect(a.currentTask()).toBe("");
    await a.runTask("bad", () => Promise.reject(new Error("boom"))).catch(() => {});
    await a.runTask("ok", () => 1);
    expect(a.heartbeatPayload().errorRate).toBeCloseTo(1 / 4);
  });

  it("always sends the full payload, and a success never clears a wedge", async () => {
    const a = agent();
    a.markWedged("stuck");
    await a.runTask("ok", () => 1);
    a.addSpend(250);
    a.addSpend(-5);
    const payload = a.heartbeatPayload();
    expect(Object.keys(payload).sort()).toEqual(
      [
        "activeTasks",
        "currentTask",
        "errorRate",
        "monthlySpend",
        "runtimeState",
        "sampleError",
        "uptimeSeconds",
        "workspaceId",
      ].sort(),
    );
    expect(payload).toMatchObject({
      runtimeState: "wedged",
      sampleError: "stuck",
      monthlySpend: 250,
      errorRate: 0,
    });
  });
});
