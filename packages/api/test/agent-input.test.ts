import { LIMITS, TRUNCATION_MARK } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import {
  createWorkspace,
  eventTypes,
  heartbeat,
  post,
  register,
  rowOf,
  type TestWorkspace,
  testServerPerFile,
  trpc,
} from "./helpers";

// SPEC §2 [r2]: agent text is sanitised at the boundary, never rejected for its characters and
// never a 5xx. Each case goes over real HTTP, through tRPC and through the snake_case wire.
const ts = testServerPerFile();
const db = () => ts.db.handle.db;

const wire = (name: string, body: unknown, token?: string) => post(ts, `/registry/${name}`, body, token);

async function online(): Promise<TestWorkspace> {
  const ws = await createWorkspace(ts, { external: true });
  expect((await register(ts, ws)).status).toBe(200);
  return ws;
}

// 4,095 characters of "x" then an emoji: the 4,096-character cut lands inside its surrogate pair.
const WEDGE_ERROR = `${"x".repeat(LIMITS.sampleError - 2)}😀😀 Control request timeout: initialize`;
const codePoints = (s: string) => Array.from(s).length;
const hasLoneSurrogate = (s: string) => /\p{Surrogate}/u.test(s);

describe("agent text with NUL bytes and lone surrogates", () => {
  for (const via of ["trpc", "wire"] as const) {
    const beat = (ws: TestWorkspace, hb: Record<string, unknown>) =>
      via === "trpc"
        ? heartbeat(ts, ws, hb)
        : wire(
            "heartbeat",
            {
              workspace_id: ws.id,
              sample_error: hb.sampleError,
              current_task: hb.currentTask,
              runtime_state: hb.runtimeState,
              error_rate: hb.errorRate,
            },
            ws.token,
          );

    it(`${via}: a NUL in sample_error and current_task is stored as U+FFFD (200, not 500)`, async () => {
      const ws = await online();
      const res = await beat(ws, {
        sampleError: "boom\u0000after",
        currentTask: "task\u0000x",
        errorRate: 0,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const row = await rowOf(db(), ws.id);
      expect(row.lastSampleError).toBe("boom\uFFFDafter");
      expect(row.currentTask).toBe("task\uFFFDx");
    });

    // Wedged, so the sample error also goes into the WORKSPACE_DEGRADED event's jsonb payload.
    it(`${via}: lone surrogates become U+FFFD`, async () => {
      const ws = await online();
      const res = await beat(ws, {
        sampleError: "a\uD800b\uDC00c",
        currentTask: "\uDBFF",
        runtimeState: "wedged",
        errorRate: 0,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const row = await rowOf(db(), ws.id);
      expect(row.lastSampleError).toBe("a\uFFFDb\uFFFDc");
      expect(row.currentTask).toBe("\uFFFD");
    });

    it(`${via}: a 4,096-character wedge error cut inside an emoji degrades the workspace`, async () => {
      const ws = await online();
      const res = await beat(ws, { sampleError: WEDGE_ERROR, runtimeState: "wedged", errorRate: 0 });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const row = await rowOf(db(), ws.id);
      expect(row.status).toBe("degraded");
      expect(codePoints(row.lastSampleError)).toBe(LIMITS.sampleError);
      expect(row.lastSampleError.endsWith(TRUNCATION_MARK)).toBe(true);
      expect(hasLoneSurrogate(row.lastSampleError)).toBe(false);
      expect(await eventTypes(db(), ws.id)).toContain("WORKSPACE_DEGRADED");
    });

    it(`${via}: a NUL in runtime_state is kept as text, never a 500`, async () => {
      const ws = await online();
      const res = await beat(ws, { runtimeState: "wedged\u0000", errorRate: 0 });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect((await rowOf(db(), ws.id)).runtimeState).toBe("wedged\uFFFD");
    });
  }

  it("an agent card with NUL and lone surrogates at any depth (keys too) is stored sanitised", async () => {
    const ws = await online();
    const card = {
      name: "n\u0000",
      skills: [{ id: "s\uD800", tags: ["\uDFFF", 1, null, true] }],
      "k\u0000ey": { deep: { deeper: "v\u0000" } },
    };
    const res = await trpc(ts, "registry.updateCard", { workspaceId: ws.id, agentCard: card }, ws.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await rowOf(db(), ws.id)).agentCard).toEqual({
      name: "n\uFFFD",
      skills: [{ id: "s\uFFFD", tags: ["\uFFFD", 1, null, true] }],
      "k\uFFFDey": { deep: { deeper: "v\uFFFD" } },
    });
    const wired = await wire(
      "register",
      { id: ws.id, url: "http://127.0.0.1:9/a\u0000", agent_card: { name: "\u0000" } },
      ws.token,
    );
    expect(wired.status, JSON.stringify(wired.body)).toBeLessThan(500);
  });

  it("a NUL in the register url is a 4xx or stored sanitised, never a 500", async () => {
    const ws = await createWorkspace(ts, { external: true });
    const res = await register(ts, ws, { url: "http://127.0.0.1:9/\u0000x" });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    if (res.status === 200) expect((await rowOf(db(), ws.id)).url).not.toContain("\u0000");
  });
});
