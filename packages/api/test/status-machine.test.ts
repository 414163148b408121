import { WORKSPACE_STATUSES, type WorkspaceStatus } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import { canRecover, isUnhealthy, type Trigger, transition } from "../src/domain/status-machine";

const hb = (errorRate: number, runtimeState = "", sampleError = ""): Trigger => ({
  kind: "heartbeat",
  errorRate,
  runtimeState,
  sampleError,
});
const NOT_YET_ONLINE: WorkspaceStatus[] = ["provisioning", "awaiting_agent", "offline", "failed"];
const others = (...excluded: WorkspaceStatus[]) => WORKSPACE_STATUSES.filter((s) => !excluded.includes(s));

describe("status machine (SPEC §2, row by row)", () => {
  describe("register (a fresh process)", () => {
    it.each([...NOT_YET_ONLINE, "degraded" as const])("%s → online with recoveredFrom", (from) => {
      expect(transition(from, { kind: "register" })).toEqual({
        next: "online",
        event: { type: "WORKSPACE_ONLINE", payload: { recoveredFrom: from } },
      });
    });
    it.each(["online", "paused", "removed"] as const)("%s: no transition", (from) => {
      expect(transition(from, { kind: "register" })).toBeNull();
    });
  });

  describe("heartbeat before online", () => {
    it.each(NOT_YET_ONLINE)("%s + healthy → online", (from) => {
      expect(transition(from, hb(0))).toEqual({
        next: "online",
        event: { type: "WORKSPACE_ONLINE", payload: { recoveredFrom: from } },
      });
    });
    it.each(NOT_YET_ONLINE)("%s + wedged → degraded directly (never a false online)", (from) => {
      expect(transition(from, hb(0, "wedged", "Control request timeout: initialize"))).toEqual({
        next: "degraded",
        event: {
          type: "WORKSPACE_DEGRADED",
          payload: { reason: "wedged", sampleError: "Control request timeout: initialize", errorRate: 0 },
        },
      });
    });
    it.each(NOT_YET_ONLINE)("%s + error rate 0.5 → degraded directly", (from) => {
      expect(transition(from, hb(0.5, "", "boom"))?.next).toBe("degraded");
    });
    it("offline + wedged → degraded directly", () => {
      expect(transition("offline", hb(0, "wedged"))?.next).toBe("degraded");
    });
    it("a non-empty runtimeState other than wedged does not degrade a not-yet-online workspace", () => {
      expect(transition("provisioning", hb(0, "starting"))?.next).toBe("online");
    });
  });

  describe("online", () => {
    it("+ wedged → degraded {reason: wedged, sampleError, errorRate}", () => {
      expect(transition("online", hb(0.2, "wedged", "Control request timeout: initialize"))).toEqual({
        next: "degraded",
        event: {
          type: "WORKSPACE_DEGRADED",
          payload: { reason: "wedged", sampleError: "Control request timeout: initialize", errorRate: 0.2 },
        },
      });
    });
    it("+ error rate 0.5 degrades {reason: error_rate}", () => {
      expect(transition("online", hb(0.5, "", "500s"))).toEqual({
        next: "degraded",
        event: {
          type: "WORKSPACE_DEGRADED",
          payload: { reason: "error_rate", sampleError: "500s", errorRate: 0.5 },
        },
      });
    });
    it("+ error rate 1 degrades", () => {
      expect(transition("online", hb(1))?.next).toBe("degraded");
    });
    it("+ error rate 0.49 does not degrade", () => {
      expect(transition("online", hb(0.49))).toBeNull();
    });
    it("+ non-empty runtimeState other than wedged does not degrade", () => {
      expect(transition("online", hb(0, "busy"))).toBeNull();
    });
    it("+ healthy heartbeat: no transition", () => {
      expect(transition("online", hb(0))).toBeNull();
    });
  });

  describe("degraded (hysteresis)", () => {
    it("stays degraded while still wedged, even with error rate 0", () => {
      expect(transition("degraded", hb(0, "wedged"))).toBeNull();
    });
    it("0.1 does not recover", () => {
      expect(transition("degraded", hb(0.1))).toBeNull();
    });
    it("0.3 (between the thresholds) does not recover", () => {
      expect(transition("degraded", hb(0.3))).toBeNull();
    });
    it("0.09 with runtimeState '' recovers → online {recoveredFrom: degraded}", () => {
      expect(transition("degraded", hb(0.09, ""))).toEqual({
        next: "online",
        event: { type: "WORKSPACE_ONLINE", payload: { recoveredFrom: "degraded" } },
      });
    });
    it("a non-empty runtimeState other than wedged blocks recovery", () => {
      expect(transition("degraded", hb(0, "recovering"))).toBeNull();
    });
    it("unhealthy again: no second degrade event", () => {
      expect(transition("degraded", hb(0.9, "", "still failing"))).toBeNull();
    });
  });

  describe("paused and removed ignore heartbeats", () => {
    it.each(["paused", "removed"] as const)("%s + any heartbeat: no transition", (from) => {
      expect(transition(from, hb(0))).toBeNull();
      expect(transition(from, hb(1, "wedged"))).toBeNull();
    });
  });

  describe("silence (liveness sweep)", () => {
    it.each(["online", "degraded"] as const)("%s → offline {lastHeartbeatAt}", (from) => {
      expect(transition(from, { kind: "silence", lastHeartbeatAt: "2026-01-01T00:00:00.000Z" })).toEqual({
        next: "offline",
        event: { type: "WORKSPACE_OFFLINE", payload: { lastHeartbeatAt: "2026-01-01T00:00:00.000Z" } },
      });
    });
    it.each(others("online", "degraded"))("%s: no transition", (from) => {
      expect(transition(from, { kind: "silence", lastHeartbeatAt: null })).toBeNull();
    });
  });

  describe("provision failed", () => {
    it("provisioning → failed {reason}", () => {
      expect(
        transition("provisioning", { kind: "provision_failed", reason: "did not register within 120 s" }),
      ).toEqual({
        next: "failed",
        event: { type: "WORKSPACE_PROVISION_FAILED", payload: { reason: "did not register within 120 s" } },
      });
    });
    it.each(others("provisioning"))("%s: no transition", (from) => {
      expect(transition(from, { kind: "provision_failed", reason: "x" })).toBeNull();
    });
  });

  describe("crash loop (the local provisioner gives up on a process)", () => {
    it.each(["provisioning", "online", "degraded", "offline"] as const)(
      "%s → failed {reason, previousStatus}, one event",
      (from) => {
        expect(transition(from, { kind: "crash_loop", reason: "Crash loop: 3 exits" })).toEqual({
          next: "failed",
          event: {
            type: "WORKSPACE_PROVISION_FAILED",
            payload: { reason: "Crash loop: 3 exits", previousStatus: from },
          },
        });
      },
    );
    it.each(["awaiting_agent", "failed", "paused", "removed"] as const)("%s: no transition", (from) => {
      expect(transition(from, { kind: "crash_loop", reason: "x" })).toBeNull();
    });
  });

  describe("restart", () => {
    it.each(["awaiting_agent", "online", "degraded", "offline", "failed"] as const)(
      "%s → provisioning {reason: restart, previousStatus}",
      (from) => {
        expect(transition(from, { kind: "restart" })).toEqual({
          next: "provisioning",
          event: { type: "WORKSPACE_PROVISIONING", payload: { reason: "restart", previousStatus: from } },
        });
      },
    );
    it("is idempotent while provisioning (double click = one restart)", () => {
      expect(transition("provisioning", { kind: "restart" })).toBeNull();
    });
    it.each(["paused", "removed"] as const)("%s: no transition", (from) => {
      expect(transition(from, { kind: "restart" })).toBeNull();
    });
  });

  describe("pause / resume", () => {
    it.each(others("paused", "removed"))("%s → paused", (from) => {
      expect(transition(from, { kind: "pause" })).toMatchObject({
        next: "paused",
        event: { type: "WORKSPACE_PAUSED" },
      });
    });
    it.each(["paused", "removed"] as const)("pause from %s: no transition", (from) => {
      expect(transition(from, { kind: "pause" })).toBeNull();
    });
    it("resume: paused → provisioning {reason: resume}", () => {
      expect(transition("paused", { kind: "resume", external: false })).toEqual({
        next: "provisioning",
        event: { type: "WORKSPACE_PROVISIONING", payload: { reason: "resume" } },
      });
    });
    it("resume of an external workspace: paused → awaiting_agent", () => {
      expect(transition("paused", { kind: "resume", external: true })?.next).toBe("awaiting_agent");
    });
    it.each(others("paused"))("resume from %s: no transition", (from) => {
      expect(transition(from, { kind: "resume", external: false })).toBeNull();
    });
  });

  describe("remove", () => {
    it.each(others("removed"))("%s → removed", (from) => {
      expect(transition(from, { kind: "remove" })).toMatchObject({
        next: "removed",
        event: { type: "WORKSPACE_REMOVED" },
      });
    });
    it("removed: no transition (no second event)", () => {
      expect(transition("removed", { kind: "remove" })).toBeNull();
    });
  });

  describe("nothing ever moves a workspace out of removed", () => {
    const triggers: Trigger[] = [
      { kind: "register" },
      hb(0),
      hb(1, "wedged"),
      { kind: "silence", lastHeartbeatAt: null },
      { kind: "provision_failed", reason: "x" },
      { kind: "crash_loop", reason: "x" },
      { kind: "restart" },
      { kind: "pause" },
      { kind: "resume", external: false },
      { kind: "remove" },
    ];
    it.each(triggers)("$kind", (trigger) => {
      expect(transition("removed", trigger)).toBeNull();
    });
  });

  describe("every transition lands on a status that a rule produces, never on itself", () => {
    const triggers: Trigger[] = [
      { kind: "register" },
      hb(0),
      hb(0.3),
      hb(0.5),
      hb(0, "wedged"),
      hb(0, "other"),
      { kind: "silence", lastHeartbeatAt: null },
      { kind: "provision_failed", reason: "x" },
      { kind: "crash_loop", reason: "x" },
      { kind: "restart" },
      { kind: "pause" },
      { kind: "resume", external: true },
      { kind: "resume", external: false },
      { kind: "remove" },
    ];
    it.each([...WORKSPACE_STATUSES])("from %s", (from) => {
      for (const trigger of triggers) {
        const result = transition(from, trigger);
        if (result) expect(result.next, `${from} + ${trigger.kind}`).not.toBe(from);
        if (result) expect(WORKSPACE_STATUSES).toContain(result.next);
      }
    });
  });

  it("health predicates match the thresholds", () => {
    expect(isUnhealthy({ errorRate: 0.5, runtimeState: "" })).toBe(true);
    expect(isUnhealthy({ errorRate: 0.49, runtimeState: "" })).toBe(false);
    expect(isUnhealthy({ errorRate: 0, runtimeState: "wedged" })).toBe(true);
    expect(isUnhealthy({ errorRate: 0, runtimeState: "other" })).toBe(false);
    expect(canRecover({ errorRate: 0.09, runtimeState: "" })).toBe(true);
    expect(canRecover({ errorRate: 0.1, runtimeState: "" })).toBe(false);
    expect(canRecover({ errorRate: 0, runtimeState: "x" })).toBe(false);
  });
});
