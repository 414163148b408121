import type { EventEnvelope } from "@molecule/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { skillsOf } from "../lib/agent-card";
import { compareIdsDesc, FEED_LIMIT, FEED_MAX, mergeFeed } from "../lib/feed";
import { appendSample, heartbeatAges, sparkPoints } from "../lib/history";
import { useCanvas } from "../lib/store";

const initial = useCanvas.getState();
beforeEach(() => useCanvas.setState(initial, true));
const store = () => useCanvas.getState();

const event = (id: string | number, type = "WORKSPACE_ONLINE"): EventEnvelope => ({
  id: String(id),
  type: type as EventEnvelope["type"],
  workspaceId: "a",
  at: new Date(0).toISOString(),
  payload: {},
});
const ids = (events: EventEnvelope[]) => events.map((e) => e.id);

describe("the feed's history and live events", () => {
  it("compares ids as numbers, not text", () => {
    expect(["9", "10", "100", "11"].sort(compareIdsDesc)).toEqual(["100", "11", "10", "9"]);
  });

  it("merges a history page (newest first) with live events (oldest first) once each, newest first", () => {
    // Live events that arrived before the history answered, one of them also in the page.
    store().pushFeed([event(11), event(12)]);
    store().addFeedHistory([event(11), event(10), event(9)], true, false);
    expect(ids(store().feed)).toEqual(["12", "11", "10", "9"]);
    expect(store().feedMore).toBe(true);
    // A live event after, and a replay of one already shown after a reconnect.
    store().pushFeed([event(12), event(13)]);
    expect(ids(store().feed)).toEqual(["13", "12", "11", "10", "9"]);
    // "Load older": the next page goes at the end, and there is nothing older.
    store().addFeedHistory([event(8), event(7)], false, true);
    expect(ids(store().feed)).toEqual(["13", "12", "11", "10", "9", "8", "7"]);
    expect(store().feedMore).toBe(false);
  });

  it("stays bounded: live events keep the newest FEED_LIMIT, older pages grow it up to FEED_MAX", () => {
    const many = (from: number, n: number) => Array.from({ length: n }, (_, i) => event(from + i));
    store().pushFeed(many(1000, FEED_LIMIT + 10));
    expect(store().feed).toHaveLength(FEED_LIMIT);
    expect(store().feed[0]?.id).toBe(String(1000 + FEED_LIMIT + 9));
    store().addFeedHistory(many(500, 100).reverse(), true, true);
    expect(store().feed).toHaveLength(FEED_LIMIT + 100);
    expect(store().feed.at(-1)?.id).toBe("500");
    for (let page = 0; page < 30; page++) store().addFeedHistory(many(page * 200 + 10_000, 200), true, true);
    expect(store().feed.length).toBeLessThanOrEqual(FEED_MAX);
  });

  it("returns the same array when nothing is new (no re-render)", () => {
    const feed = [event(2), event(1)];
    expect(mergeFeed(feed, [event(1)], FEED_LIMIT)).toBe(feed);
  });
});

describe("heartbeat history", () => {
  const view = {
    samples: [{ at: new Date(10_000).toISOString(), errorRate: 0, gapMs: null }],
    limit: 3,
    windowMs: 60_000,
  };

  it("appends live heartbeats with their gap, skips repeats, and keeps the bound", () => {
    let v = appendSample(view, new Date(20_000).toISOString(), 0.2, 20_000);
    expect(v.samples.at(-1)).toEqual({ at: new Date(20_000).toISOString(), errorRate: 0.2, gapMs: 10_000 });
    expect(appendSample(v, new Date(20_000).toISOString(), 0.9, 20_000)).toBe(v);
    v = appendSample(v, new Date(30_000).toISOString(), 0, 30_000);
    v = appendSample(v, new Date(40_000).toISOString(), 0, 40_000);
    expect(v.samples).toHaveLength(3);
    expect(v.samples[0]?.at).toBe(new Date(20_000).toISOString());
    // Older than the window: dropped.
    v = appendSample(v, new Date(95_000).toISOString(), 0, 95_000);
    expect(v.samples.map((s) => Date.parse(s.at))).toEqual([40_000, 95_000]);
  });

  it("draws heartbeat age as the gaps, then the silence since the last one", () => {
    const samples = [
      { at: new Date(10_000).toISOString(), errorRate: 0, gapMs: null },
      { at: new Date(20_000).toISOString(), errorRate: 0, gapMs: 10_000 },
    ];
    expect(heartbeatAges(samples, 45_000)).toEqual([10_000, 25_000]);
    expect(sparkPoints([0, 5, 10], 100, 20)).toBe("0.0,20.0 50.0,10.0 100.0,0.0");
    expect(sparkPoints([0.2], 100, 20, 1)).toBe("0,16.0 100,16.0");
    expect(sparkPoints([], 100, 20)).toBe("");
  });
});

describe("agent card skills", () => {
  it("lists name, description and tags, skipping what is not a skill", () => {
    expect(
      skillsOf({
        skills: [
          { id: "s1", name: "Search", description: "Finds things", tags: ["web", 3, "research"] },
          { id: "s2" },
          "nonsense",
          { description: "no name" },
        ],
      }),
    ).toEqual([
      { key: "0:s1", name: "Search", description: "Finds things", tags: ["web", "research"] },
      { key: "1:s2", name: "s2", description: "", tags: [] },
    ]);
    expect(skillsOf({ skills: "x" })).toEqual([]);
    expect(skillsOf(null)).toEqual([]);
  });
});
