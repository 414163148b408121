import { createHmac, randomBytes } from "node:crypto";
import { and, eq, gt, lt, operatorSessions, sql } from "@molecule/db";
import type { Services } from "./services";

/** How long a browser session lasts (the old cookie's 30 days; now revocable and ended by a new token). */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

// A session id is 32 random bytes in base64url: anything else is not worth a query.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * What the table stores for a session id: HMAC-SHA256 keyed with the admin token. A leaked table
 * signs nobody in, and after ADMIN_TOKEN changes no stored hash matches, so every session ends.
 */
function sessionHash(adminToken: string, id: string): string {
  return createHmac("sha256", adminToken).update(id, "utf8").digest("hex");
}

function adminTokenOf(services: Services): string {
  const token = services.config.adminToken;
  if (!token) throw new Error("No admin token: ensureAdminToken runs before the server serves requests.");
  return token;
}

/** Starts a session; returns its id (for the cookie only, never stored). Expired rows go on the way. */
export async function createSession(services: Services): Promise<{ id: string; expiresAt: Date }> {
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const { db } = services.handle;
  await db.delete(operatorSessions).where(lt(operatorSessions.expiresAt, sql`now()`));
  await db.insert(operatorSessions).values({ idHash: sessionHash(adminTokenOf(services), id), expiresAt });
  return { id, expiresAt };
}

/** Whether the id names an unexpired session made under the current admin token. */
export async function sessionIsLive(services: Services, id: string): Promise<boolean> {
  const admin = services.config.adminToken;
  if (!admin || !SESSION_ID.test(id)) return false;
  const rows = await services.handle.db
    .select({ idHash: operatorSessions.idHash })
    .from(operatorSessions)
    .where(
      and(eq(operatorSessions.idHash, sessionHash(admin, id)), gt(operatorSessions.expiresAt, sql`now()`)),
    )
    .limit(1);
  return rows.length > 0;
}

/** Sign-out: the row goes, so the cookie is worthless even if a copy of it survives. */
export async function endSession(services: Services, id: string): Promise<void> {
  const admin = services.config.adminToken;
  if (!admin || !SESSION_ID.test(id)) return;
  await services.handle.db
    .delete(operatorSessions)
    .where(eq(operatorSessions.idHash, sessionHash(admin, id)));
}
