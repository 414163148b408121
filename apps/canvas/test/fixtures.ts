import type { CardView } from "@molecule/contracts";

/** A card as workspace.cards returns it; `at` is its updatedAt (ms), `over` any field. */
export function card(id: string, at: number, over: Partial<CardView> = {}): CardView {
  return {
    id,
    name: `ws ${id}`,
    role: "",
    tier: 3,
    status: "awaiting_agent",
    statusReason: null,
    parentId: null,
    runtime: "demo",
    external: true,
    lastHeartbeatAt: null,
    lastErrorRate: 0,
    lastSampleError: "",
    runtimeState: "",
    activeTasks: 0,
    maxConcurrentTasks: 1,
    uptimeSeconds: 0,
    currentTask: "",
    monthlySpend: 0,
    overBudget: false,
    x: 0,
    y: 0,
    collapsed: false,
    updatedAt: new Date(at).toISOString(),
    ...over,
  };
}
