import { describe, expect, it } from "vitest";
import {
  CreateWorkspaceInputSchema,
  HeartbeatInputSchema,
  LIMITS,
  RegisterInputSchema,
  WORKSPACE_STATUSES,
  WorkspaceStatusSchema,
} from "../src";

describe("statuses", () => {
  it("are exactly the eight of SPEC §1, in order", () => {
    expect(WORKSPACE_STATUSES).toEqual([
      "provisioning",
      "awaiting_agent",
      "online",
      "degraded",
      "offline",
      "failed",
      "paused",
      "removed",
    ]);
    expect(WorkspaceStatusSchema.safeParse("sleeping").success).toBe(false);
  });
});

describe("heartbeat", () => {
  const base = { workspaceId: "w1" };

  it("defaults every field but the id (older runtimes send only the id)", () => {
    expect(HeartbeatInputSchema.parse(base)).toEqual({
      workspaceId: "w1",
      errorRate: 0,
      sampleError: "",
      activeTasks: 0,
      uptimeSeconds: 0,
      currentTask: "",
      monthlySpend: 0,
      runtimeState: "",
    });
  });

  it("truncates long sampleError and currentTask with … instead of rejecting", () => {
    const hb = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "e".repeat(10_000),
      currentTask: "t".repeat(5_000),
    });
    expect(hb.sampleError).toHaveLength(LIMITS.sampleError);
    expect(hb.sampleError.endsWith("…")).toBe(true);
    expect(hb.currentTask).toHaveLength(LIMITS.currentTask);
    expect(hb.currentTask.endsWith("…")).toBe(true);
  });

  it("clamps spend: ≤ 0 means no update, above 1e12 is capped", () => {
    expect(HeartbeatInputSchema.parse({ ...base, monthlySpend: -5 }).monthlySpend).toBe(0);
    expect(HeartbeatInputSchema.parse({ ...base, monthlySpend: 5e15 }).monthlySpend).toBe(1e12);
    expect(HeartbeatInputSchema.parse({ ...base, monthlySpend: 12.6 }).monthlySpend).toBe(13);
  });

  it.each([
    [{ errorRate: 1.5 }, "errorRate"],
    [{ errorRate: -0.1 }, "errorRate"],
    [{ errorRate: Number.NaN }, "errorRate"],
    [{ errorRate: "0.5" }, "errorRate"],
    [{ activeTasks: -1 }, "activeTasks"],
    [{ activeTasks: 1.5 }, "activeTasks"],
    [{ uptimeSeconds: -3 }, "uptimeSeconds"],
    [{ runtimeState: 7 }, "runtimeState"],
    [{ workspaceId: "" }, "workspaceId"],
    [{ workspaceId: "has space" }, "workspaceId"],
  ])("rejects %j naming the field", (patch, field) => {
    const result = HeartbeatInputSchema.safeParse({ ...base, ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });
});

describe("register", () => {
  it("accepts http(s) URLs without credentials and JSON-object agent cards", () => {
    expect(
      RegisterInputSchema.parse({ id: "w1", url: "http://127.0.0.1:4000", agentCard: { name: "a" } }).url,
    ).toBe("http://127.0.0.1:4000");
    expect(RegisterInputSchema.safeParse({ id: "w1", url: "file:///etc/passwd" }).success).toBe(false);
    expect(RegisterInputSchema.safeParse({ id: "w1", url: "https://u:p@host" }).success).toBe(false);
    expect(RegisterInputSchema.safeParse({ id: "w1", url: `https://h/${"a".repeat(3000)}` }).success).toBe(
      false,
    );
    expect(RegisterInputSchema.safeParse({ id: "w1", agentCard: [1] }).success).toBe(false);
    expect(
      RegisterInputSchema.safeParse({ id: "w1", agentCard: { big: "x".repeat(300 * 1024) } }).success,
    ).toBe(false);
  });
});

describe("create workspace", () => {
  it("fills the seed defaults, and leaves tier and concurrency to the template or the server", () => {
    const parsed = CreateWorkspaceInputSchema.parse({ name: "A" });
    expect(parsed).toMatchObject({
      name: "A",
      external: false,
      workspaceAccess: "none",
      budgetLimit: null,
      secrets: {},
      initialMemories: [],
    });
    // A default here would hide "left empty" from createWorkspace, so a template could never fill it.
    expect(parsed.tier).toBeUndefined();
    expect(parsed.maxConcurrentTasks).toBeUndefined();
    expect(CreateWorkspaceInputSchema.parse({ name: "A", tier: 0 }).tier).toBe(0);
  });

  it.each([
    [{ name: "a\u0000b" }, "name"],
    [{ name: "x".repeat(256) }, "name"],
    [{ name: "   " }, "name"],
    [{ name: "a", role: "r".repeat(1001) }, "role"],
    [{ name: "a", tier: 5 }, "tier"],
    [{ name: "a", model: "m".repeat(101) }, "model"],
    [{ name: "a", workspaceDir: "/usr/lib/x" }, "workspaceDir"],
    [{ name: "a", workspaceDir: "/" }, "workspaceDir"],
    [{ name: "a", workspaceAccess: "read_only" }, "workspaceAccess"],
    [{ name: "a", secrets: { OK: "x".repeat(64 * 1024 + 1) } }, "secrets"],
    [{ name: "a", initialMemories: [{ content: "", scope: "LOCAL" }] }, "initialMemories"],
    [{ name: "a", initialMemories: [{ content: "x", scope: "WORLD" }] }, "initialMemories"],
    [{ name: "a", canvas: { x: Number.POSITIVE_INFINITY, y: 0 } }, "canvas"],
  ])("rejects %j naming the field", (input, field) => {
    const result = CreateWorkspaceInputSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });

  it("allows a project folder with read access", () => {
    expect(
      CreateWorkspaceInputSchema.parse({
        name: "a",
        workspaceDir: "/srv/projects/alpha",
        workspaceAccess: "read_write",
      }).workspaceDir,
    ).toBe("/srv/projects/alpha");
  });
});
