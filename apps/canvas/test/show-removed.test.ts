import { beforeEach, describe, expect, it } from "vitest";
import { useCanvas } from "../lib/store";
import { card } from "./fixtures";

const initial = useCanvas.getState();
beforeEach(() => useCanvas.setState(initial, true));
const store = () => useCanvas.getState();
const shown = () =>
  Object.fromEntries(Object.values(store().workspaces).map((ws) => [ws.id, ws.status] as const));

describe('"Show removed" (SPEC §1)', () => {
  it("off (the default): a removed workspace is not drawn, from a snapshot, an answer or an event", () => {
    expect(store().showRemoved).toBe(false);
    store().replaceAll([card("a", 1), card("gone", 1, { status: "removed" })]);
    store().upsert([card("b", 1), card("a", 2, { status: "removed" })]);
    expect(shown()).toEqual({ b: "awaiting_agent" });
    expect(store().scene.map((s) => s.id)).toEqual(["b"]);
  });

  it("on: removed workspaces are drawn with their removed status; a removal marks the card instead of dropping it", () => {
    store().setShowRemoved(true);
    store().replaceAll([card("a", 1), card("gone", 1, { status: "removed" })]);
    expect(shown()).toEqual({ a: "awaiting_agent", gone: "removed" });
    store().remove(["a"]);
    expect(shown()).toEqual({ a: "removed", gone: "removed" });
    expect(
      store()
        .scene.map((s) => s.id)
        .sort(),
    ).toEqual(["a", "gone"]);
    // An older answer that still says it is live does not bring it back to life.
    store().upsert([card("a", 1)]);
    expect(store().workspaces.a?.status).toBe("removed");
  });

  it("turning it off drops the removed cards at once; the live ones stay", () => {
    store().setShowRemoved(true);
    store().replaceAll([card("a", 1), card("gone", 1, { status: "removed" })]);
    store().setShowRemoved(false);
    expect(shown()).toEqual({ a: "awaiting_agent" });
    // A later snapshot with removed rows (one asked for while it was on) does not draw them either.
    store().replaceAll([card("a", 1), card("gone", 1, { status: "removed" })]);
    expect(shown()).toEqual({ a: "awaiting_agent" });
  });

  it("a workspace removed while it was off shows up removed once turned on", () => {
    store().replaceAll([card("a", 1)]);
    store().remove(["a"]);
    expect(shown()).toEqual({});
    store().setShowRemoved(true);
    store().upsert([card("a", 2, { status: "removed" })]);
    expect(shown()).toEqual({ a: "removed" });
  });
});

describe("a removed card shown on the canvas", () => {
  const node = (id: string) => store().nodes.find((n) => n.id === id);

  it("cannot be dragged (a move would only be refused and rolled back); live cards can", () => {
    store().setShowRemoved(true);
    store().replaceAll([card("a", 1), card("gone", 1, { status: "removed" })]);
    expect(node("gone")?.draggable).toBe(false);
    expect(node("a")?.draggable).not.toBe(false);
  });

  it("is drawn under the live cards (a live one may sit where it was)", () => {
    store().setShowRemoved(true);
    store().replaceAll([card("a", 1), card("gone", 1, { status: "removed" })]);
    expect(node("gone")?.zIndex).toBeLessThan(0);
    expect(node("a")?.zIndex ?? 0).toBe(0);
    // The far-zoom layer and the minimap paint the scene in order: removed first, live over them.
    expect(store().scene.map((s) => s.id)).toEqual(["gone", "a"]);
  });

  it("becomes fixed when it is removed while shown", () => {
    store().setShowRemoved(true);
    store().replaceAll([card("a", 1)]);
    expect(node("a")?.draggable).not.toBe(false);
    store().remove(["a"]);
    expect(node("a")?.draggable).toBe(false);
  });
});
