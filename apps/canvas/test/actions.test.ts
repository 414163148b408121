import { beforeEach, describe, expect, it } from "vitest";
import { saveMoves } from "../lib/actions";
import { useCanvas } from "../lib/store";
import { card } from "./fixtures";

const initial = useCanvas.getState();
beforeEach(() => useCanvas.setState(initial, true));

describe("saveMoves", () => {
  it("moves thousands of cards in one store update, and puts them back in one when the save fails", async () => {
    const cards = Array.from({ length: 2000 }, (_, i) => card(`w${i}`, 1000, { x: i, y: 0 }));
    useCanvas.getState().replaceAll(cards);
    const positions: number[] = [];
    const off = useCanvas.subscribe((s, prev) => {
      if (s.workspaces !== prev.workspaces) positions.push(s.workspaces.w7?.y ?? -1);
    });
    // No server here: workspace.move fails for real (the relative URL cannot be fetched in Node).
    const saved = await saveMoves(cards.map((c) => ({ id: c.id, x: c.x, y: 500 })));
    off();
    expect(saved).toBe(false);
    // One update moved every card, one put every card back (not 2 × 2,000 relayouts).
    expect(positions).toEqual([500, 0]);
    expect(useCanvas.getState().toasts.at(-1)?.message).toMatch(/Could not save the new layout/);
  });
});
