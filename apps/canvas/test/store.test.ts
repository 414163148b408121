import { beforeEach, describe, expect, it } from "vitest";
import { FEED_LIMIT, useCanvas } from "../lib/store";
import { card } from "./fixtures";

const initial = useCanvas.getState();
beforeEach(() => useCanvas.setState(initial, true));
const store = () => useCanvas.getState();

describe("snapshots and events", () => {
  it("an older answer never overwrites a newer one (upsert)", () => {
    store().upsert([card("a", 2000, { status: "degraded" })]);
    store().upsert([card("a", 1000, { status: "awaiting_agent" })]);
    expect(store().workspaces.a?.status).toBe("degraded");
    store().upsert([card("a", 3000, { status: "online" })]);
    expect(store().workspaces.a?.status).toBe("online");
  });

  it("a full snapshot keeps a card the page already holds in a newer version", () => {
    store().upsert([card("a", 2000, { status: "degraded" })]);
    store().replaceAll([card("a", 1000), card("b", 1000)]);
    expect(store().workspaces.a?.status).toBe("degraded");
    expect(store().workspaces.b?.status).toBe("awaiting_agent");
    expect(store().load).toEqual({ kind: "ready" });
  });

  it("a workspace seen removed is not brought back by an older snapshot or answer", () => {
    store().replaceAll([card("a", 1000), card("b", 1000)]);
    store().remove(["a"]);
    store().replaceAll([card("a", 1000), card("b", 1000)]);
    store().upsert([card("a", 1000)]);
    expect(Object.keys(store().workspaces)).toEqual(["b"]);
    expect(store().scene.map((s) => s.id)).toEqual(["b"]);
  });

  it("the scene holds every visible card in absolute coordinates, children inside their parent", () => {
    store().replaceAll([
      card("p", 1, { x: 100, y: 50 }),
      card("c", 1, { parentId: "p", x: 20, y: 60 }),
      card("hidden", 1, { parentId: "q", x: 20, y: 60 }),
      card("q", 1, { x: 1000, y: 0, collapsed: true }),
    ]);
    const byId = Object.fromEntries(store().scene.map((s) => [s.id, s]));
    expect(byId.p).toMatchObject({ x: 100, y: 50, region: true });
    expect(byId.c).toMatchObject({ x: 120, y: 110, region: false, parentId: "p" });
    expect(byId.q).toMatchObject({ region: false });
    expect(byId.hidden).toBeUndefined();
  });
});

describe("status filters", () => {
  it("each click focuses the next workspace with that status, then wraps", () => {
    store().replaceAll([
      card("a", 1, { status: "degraded" }),
      card("b", 1, { status: "online" }),
      card("c", 1, { status: "degraded" }),
    ]);
    expect(store().cycleStatus("degraded")).toBe("a");
    expect(store().focus?.id).toBe("a");
    expect(store().cycleStatus("degraded")).toBe("c");
    expect(store().cycleStatus("degraded")).toBe("a");
    expect(store().cycleStatus("failed")).toBeNull();
  });
});

describe("activity feed", () => {
  const event = (id: string) => ({
    id,
    type: "WORKSPACE_DEGRADED" as const,
    workspaceId: "a",
    at: new Date(0).toISOString(),
    payload: {},
  });

  it("lists newest first, never twice (a resume can replay), and stays bounded", () => {
    store().pushFeed([event("1"), event("2")]);
    store().pushFeed([event("2"), event("3")]);
    expect(store().feed.map((e) => e.id)).toEqual(["3", "2", "1"]);
    store().pushFeed(Array.from({ length: FEED_LIMIT + 10 }, (_, i) => event(String(100 + i))));
    expect(store().feed).toHaveLength(FEED_LIMIT);
    expect(store().feed[0]?.id).toBe(String(100 + FEED_LIMIT + 9));
  });
});

describe("first-paint slice", () => {
  it("is drawn and marked partial until the full snapshot; never replaces a full one", () => {
    store().preview([card("a", 1000)]);
    expect(store().load).toEqual({ kind: "ready" });
    expect(store().partial).toBe(true);
    expect(Object.keys(store().workspaces)).toEqual(["a"]);
    store().replaceAll([card("a", 1000), card("b", 1000)]);
    expect(store().partial).toBe(false);
    store().preview([card("c", 1000)]);
    expect(Object.keys(store().workspaces).sort()).toEqual(["a", "b"]);
    expect(store().partial).toBe(false);
  });
});
