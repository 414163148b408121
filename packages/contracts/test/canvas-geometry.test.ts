import { describe, expect, it } from "vitest";
import {
  CARD_HEIGHT,
  CARD_WIDTH,
  PARENT_PADDING,
  type PlacedWorkspace,
  regionSizes,
} from "../src/canvas-geometry";

const at = (
  id: string,
  parentId: string | null,
  x: number,
  y: number,
  collapsed = false,
): PlacedWorkspace => ({
  id,
  parentId,
  x,
  y,
  collapsed,
});

describe("regionSizes: how big an expanded parent is drawn", () => {
  it("a parent is the box around its children plus padding; plain cards are not regions", () => {
    const sizes = regionSizes([at("team", null, 0, 0), at("a", "team", 20, 60), at("b", "team", 320, 240)]);
    expect(sizes.get("team")).toEqual({
      width: 320 + CARD_WIDTH + PARENT_PADDING,
      height: 240 + CARD_HEIGHT + PARENT_PADDING,
    });
    expect(sizes.has("a")).toBe(false);
  });

  it("nested regions grow their parents; a collapsed parent is one card", () => {
    const sizes = regionSizes([
      at("org", null, 0, 0),
      at("team", "org", 20, 60),
      at("a", "team", 20, 60),
      at("b", "team", 320, 60),
      at("closed", null, 0, 0, true),
      at("c", "closed", 20, 60),
    ]);
    const team = { width: 320 + CARD_WIDTH + PARENT_PADDING, height: 60 + CARD_HEIGHT + PARENT_PADDING };
    expect(sizes.get("team")).toEqual(team);
    expect(sizes.get("org")).toEqual({
      width: 20 + team.width + PARENT_PADDING,
      height: 60 + team.height + PARENT_PADDING,
    });
    expect(sizes.has("closed")).toBe(false);
  });

  it("a child of a parent that is not there counts as top-level; a cycle ends", () => {
    const sizes = regionSizes([at("orphan", "gone", 0, 0), at("x", "y", 0, 0), at("y", "x", 0, 0)]);
    expect(sizes.has("orphan")).toBe(false);
    expect(sizes.get("x")?.width).toBeGreaterThan(CARD_WIDTH);
  });
});
