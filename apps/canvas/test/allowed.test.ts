import { describe, expect, it } from "vitest";
import { buttonFor, pausedAbove } from "../lib/allowed";
import { card } from "./fixtures";

describe("canvas buttons follow the shared action rule", () => {
  it("restart: enabled when broken, disabled while starting, refused with the reason under a paused team", () => {
    expect(buttonFor("restart", "degraded", null)).toEqual({ enabled: true, title: undefined });
    expect(buttonFor("restart", "provisioning", null)).toEqual({ enabled: false, title: "Already starting" });
    expect(buttonFor("restart", "offline", "Team")).toEqual({
      enabled: false,
      title: '"Team" is paused, and everything under it stays paused: resume it first.',
    });
  });

  it("resume is disabled while a workspace above is paused", () => {
    const workspaces = {
      team: card("team", 1, { name: "Team", status: "paused" }),
      member: card("member", 1, { status: "paused", parentId: "team" }),
    };
    const above = pausedAbove({ workspaces }, workspaces.member.parentId);
    expect(above).toBe("Team");
    expect(buttonFor("resume", "paused", above).enabled).toBe(false);
    expect(buttonFor("resume", "paused", pausedAbove({ workspaces }, null)).enabled).toBe(true);
  });

  it("a removed card (shown with Show removed) offers nothing", () => {
    for (const action of ["restart", "pause", "resume", "remove", "addChild"] as const) {
      expect(buttonFor(action, "removed", null).enabled).toBe(false);
    }
  });
});
