import type { RecentEventsQuery, RestartRecord } from "@molecule/contracts";
import { and, desc, eq, findWorkspace, inArray, workspaceEvents } from "@molecule/db";
import { RESTART_HISTORY_EVENTS, restartsOf } from "../domain/restart-history";
import { workspaceNotFound } from "./errors";
import { eventsPage, toEnvelope } from "./events";
import type { Services } from "./services";

// Status events read to find the last restarts: enough for `limit` restarts with their outcomes
// (each restart is a few events), without reading a long-lived workspace's whole log.
const RESTART_EVENTS_READ = 500;

/** workspace.restarts: the workspace's restarts and resumes, newest first (domain/restart-history.ts). */
export async function workspaceRestarts(
  services: Services,
  id: string,
  limit: number,
): Promise<RestartRecord[]> {
  const { db } = services.handle;
  if (!(await findWorkspace(db, id))) throw workspaceNotFound();
  const rows = await db
    .select()
    .from(workspaceEvents)
    .where(
      and(eq(workspaceEvents.workspaceId, id), inArray(workspaceEvents.type, [...RESTART_HISTORY_EVENTS])),
    )
    .orderBy(desc(workspaceEvents.id))
    .limit(RESTART_EVENTS_READ);
  return restartsOf(rows.reverse().map(toEnvelope)).slice(0, limit);
}

/** events.recent: every workspace's persisted events, newest first, paged by `before`. */
export async function recentEvents(services: Services, input: RecentEventsQuery) {
  const { events, next } = await eventsPage(services.handle.db, undefined, input.before, input.limit);
  return { events, nextBefore: next };
}

/** workspace.history: what this instance heard of the workspace lately (workspace-history.ts). */
export async function workspaceHistory(services: Services, id: string) {
  if (!(await findWorkspace(services.handle.db, id))) throw workspaceNotFound();
  const { history } = services;
  return { samples: history.samples(id), limit: history.samplesPerWorkspace, windowMs: history.windowMs };
}
