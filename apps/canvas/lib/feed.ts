import type { EventEnvelope } from "@molecule/contracts";

/** The activity feed keeps the newest persisted events, bounded so a busy fleet cannot grow it. */
export const FEED_LIMIT = 300;
/** "Load older" may grow the feed up to this many events (a page at a time). */
export const FEED_MAX = 2_000;

/** Event ids are bigserials as decimal strings: compared as numbers, without BigInt or rounding. */
export function compareIdsDesc(a: string, b: string): number {
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? 1 : a > b ? -1 : 0;
}

/**
 * The feed after `incoming` events arrive, from the live stream (oldest first) or from a history
 * page (newest first), in any order and overlapping what is shown: one entry per id, newest first,
 * at most `limit`. A live event that a history page also returned (or a replay after a
 * reconnect) is listed once.
 */
export function mergeFeed(
  current: EventEnvelope[],
  incoming: EventEnvelope[],
  limit: number,
): EventEnvelope[] {
  if (incoming.length === 0) return current;
  const byId = new Map<string, EventEnvelope>();
  for (const e of current) byId.set(e.id, e);
  let added = false;
  for (const e of incoming) {
    if (byId.has(e.id)) continue;
    byId.set(e.id, e);
    added = true;
  }
  if (!added) return current;
  return [...byId.values()].sort((a, b) => compareIdsDesc(a.id, b.id)).slice(0, limit);
}
