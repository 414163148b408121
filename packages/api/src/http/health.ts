import type { ServerResponse } from "node:http";
import { DATABASE_RETRY_AFTER_HEADER } from "../services/database-outage";
import type { Services } from "../services/services";
import { VERSION } from "../version";
import { sendJson } from "./respond";

/** GET /api/health → { ok, database, version }; 503 while the database does not answer. */
export async function handleHealth(res: ServerResponse, services: Services) {
  const database = services.handle.kind;
  try {
    await services.handle.query("select 1", []);
    sendJson(res, 200, { ok: true, database, version: VERSION });
  } catch {
    // The same Retry-After as every call refused while the database is unreachable.
    sendJson(res, 503, { ok: false, database, version: VERSION }, DATABASE_RETRY_AFTER_HEADER);
  }
}
