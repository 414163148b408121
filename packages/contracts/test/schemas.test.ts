import { describe, expect, it } from "vitest";
import {
  CreateWorkspaceInputSchema,
  DEGRADE_AT,
  HEARTBEAT_INTERVAL_MS,
  HeartbeatInputSchema,
  LIMITS,
  OFFLINE_AFTER_MS,
  PROVISION_TIMEOUT_MS,
  RECOVER_BELOW,
  RegisterInputSchema,
  TRUNCATION_MARK,
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

  // SPEC §2: sampleError is truncated to 4,096 characters, currentTask to 1,024, marked with "…".
  // The numbers are SPEC's, written out: a changed LIMITS must fail here, not move the test along.
  const codePoints = (s: string) => Array.from(s).length;

  it("truncates long sampleError and currentTask with … instead of rejecting", () => {
    const hb = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "e".repeat(10_000),
      currentTask: "t".repeat(5_000),
    });
    expect(hb.sampleError).toBe(`${"e".repeat(4_095)}…`);
    expect(hb.currentTask).toBe(`${"t".repeat(1_023)}…`);
  });

  it("keeps text of exactly the limit whole and cuts one character more", () => {
    const at = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "ß".repeat(4_096),
      currentTask: "t".repeat(1_024),
    });
    expect(at.sampleError).toBe("ß".repeat(4_096));
    expect(at.currentTask).toBe("t".repeat(1_024));
    const over = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "ß".repeat(4_097),
      currentTask: "t".repeat(1_025),
    });
    expect(over.sampleError).toBe(`${"ß".repeat(4_095)}…`);
    expect(over.currentTask).toBe(`${"t".repeat(1_023)}…`);
  });

  it("counts characters, not UTF-8 bytes: non-ASCII text under the limit is kept whole", () => {
    // 4,096 characters but 12,288 bytes in UTF-8, and 1,024 characters of Cyrillic (2,048 bytes).
    const hb = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "中".repeat(4_096),
      currentTask: "ж".repeat(1_024),
    });
    expect(hb.sampleError).toBe("中".repeat(4_096));
    expect(hb.currentTask).toBe("ж".repeat(1_024));
    const cut = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "中".repeat(5_000),
      currentTask: "ж".repeat(2_000),
    });
    expect(cut.sampleError).toBe(`${"中".repeat(4_095)}…`);
    expect(cut.currentTask).toBe(`${"ж".repeat(1_023)}…`);
  });

  it("keeps combining characters as sent (no normalisation) and counts each mark", () => {
    // "é" written as e + U+0301: two code points per letter, never folded into one.
    const decomposed = "e\u0301";
    expect(HeartbeatInputSchema.parse({ ...base, currentTask: decomposed.repeat(10) }).currentTask).toBe(
      decomposed.repeat(10),
    );
    const hb = HeartbeatInputSchema.parse({
      ...base,
      sampleError: decomposed.repeat(3_000),
      currentTask: decomposed.repeat(600),
    });
    expect(codePoints(hb.sampleError)).toBe(4_096);
    expect(hb.sampleError).toBe(`${decomposed.repeat(2_047)}e…`);
    expect(codePoints(hb.currentTask)).toBe(1_024);
    expect(hb.currentTask).toBe(`${decomposed.repeat(511)}e…`);
  });

  it("keeps emoji under the limit whole, never leaving half of a pair", () => {
    // 2,000 emoji are 4,000 UTF-16 units: under 4,096 however they are counted.
    const hb = HeartbeatInputSchema.parse({
      ...base,
      sampleError: "😀".repeat(2_000),
      currentTask: "👍🏽".repeat(100),
    });
    expect(hb.sampleError).toBe("😀".repeat(2_000));
    expect(hb.currentTask).toBe("👍🏽".repeat(100));
    expect(/\p{Surrogate}/u.test(hb.sampleError + hb.currentTask)).toBe(false);
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

describe("limits are SPEC's numbers", () => {
  it("§2–§5 thresholds and sizes", () => {
    expect({
      DEGRADE_AT,
      RECOVER_BELOW,
      HEARTBEAT_INTERVAL_MS,
      OFFLINE_AFTER_MS,
      PROVISION_TIMEOUT_MS,
    }).toEqual({
      DEGRADE_AT: 0.5,
      RECOVER_BELOW: 0.1,
      HEARTBEAT_INTERVAL_MS: 10_000,
      OFFLINE_AFTER_MS: 30_000,
      PROVISION_TIMEOUT_MS: 120_000,
    });
    expect(TRUNCATION_MARK).toBe("…");
    expect(LIMITS).toMatchObject({
      sampleError: 4_096,
      currentTask: 1_024,
      monthlySpendMax: 1_000_000_000_000,
      bodyBytes: 64 * 1024,
      agentCardBytes: 256 * 1024,
      url: 2_048,
      name: 255,
      role: 1_000,
      model: 100,
      moveBatch: 1_000,
      memoryContent: 100_000,
      secretValueBytes: 64 * 1024,
      accessDepth: 32,
      forwardHops: 8,
    });
  });

  it("names: 255 characters of any script, not 255 bytes", () => {
    expect(CreateWorkspaceInputSchema.parse({ name: "名".repeat(255) }).name).toBe("名".repeat(255));
    expect(CreateWorkspaceInputSchema.safeParse({ name: "名".repeat(256) }).success).toBe(false);
    expect(CreateWorkspaceInputSchema.safeParse({ name: "x".repeat(256) }).success).toBe(false);
    expect(CreateWorkspaceInputSchema.parse({ name: "a", role: "ü".repeat(1_000) }).role).toHaveLength(1_000);
    expect(CreateWorkspaceInputSchema.safeParse({ name: "a", role: "ü".repeat(1_001) }).success).toBe(false);
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
