import type { CardView } from "@molecule/contracts";
import { statusLabel } from "./status";

/**
 * Search by name, role, status or runtime: every word typed must appear in one of them
 * ("degraded claude" finds the degraded workspaces on the claude runtime). Names that start with
 * the query come first. At most `limit` results.
 */
export function searchWorkspaces(all: Iterable<CardView>, query: string, limit = 50): CardView[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const hits: { ws: CardView; rank: number }[] = [];
  for (const ws of all) {
    const name = ws.name.toLowerCase();
    const fields = [
      name,
      ws.role.toLowerCase(),
      ws.status,
      statusLabel(ws.status).toLowerCase(),
      ws.runtime.toLowerCase(),
    ];
    if (!words.every((w) => fields.some((f) => f.includes(w)))) continue;
    const q = words.join(" ");
    hits.push({ ws, rank: name === q ? 0 : name.startsWith(q) ? 1 : name.includes(q) ? 2 : 3 });
  }
  hits.sort((a, b) => a.rank - b.rank || a.ws.name.localeCompare(b.ws.name));
  return hits.slice(0, limit).map((h) => h.ws);
}
