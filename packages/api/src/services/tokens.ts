import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, type Database, eq, isNull, sql, workspaceTokens } from "@molecule/db";
import type { Tx } from "./events";

/** A workspace token: 32 random bytes, base64url (SPEC §3). Only its SHA-256 and prefix are stored. */
export function mintToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Stores a token for the workspace: its SHA-256 and the prefix shown to operators, never the token. */
export async function storeToken(db: Tx | Database, workspaceId: string, token: string): Promise<void> {
  await db
    .insert(workspaceTokens)
    .values({ workspaceId, tokenHash: hashToken(token), prefix: token.slice(0, 8) });
}

export async function revokeTokens(db: Tx | Database, workspaceId: string): Promise<void> {
  await db.update(workspaceTokens).set({ revokedAt: sql`now()` }).where(liveToken(workspaceId));
}

/**
 * Revokes the live tokens and stores `token` (none when null: removal), inside the caller's
 * transaction so the old token dies in the same commit as the status change that asked for it.
 */
export async function rotateTokenIn(tx: Tx | Database, workspaceId: string, token: string | null) {
  await revokeTokens(tx, workspaceId);
  if (token) await storeToken(tx, workspaceId, token);
}

/** rotateTokenIn with a freshly minted token; returns the plaintext once. */
export async function issueToken(tx: Tx | Database, workspaceId: string): Promise<string> {
  const token = mintToken();
  await rotateTokenIn(tx, workspaceId, token);
  return token;
}

/** Hashes of the workspace's tokens that are not revoked (normally one). */
export async function liveTokenHashes(db: Tx | Database, workspaceId: string): Promise<string[]> {
  const rows = await db
    .select({ tokenHash: workspaceTokens.tokenHash })
    .from(workspaceTokens)
    .where(liveToken(workspaceId));
  return rows.map((r) => r.tokenHash);
}

/** The workspace_tokens rows that are live for the workspace (with this hash, when given). */
export function liveToken(workspaceId: string, tokenHash?: string) {
  return and(
    eq(workspaceTokens.workspaceId, workspaceId),
    isNull(workspaceTokens.revokedAt),
    tokenHash === undefined ? undefined : eq(workspaceTokens.tokenHash, tokenHash),
  );
}

/**
 * The workspace a token speaks for, or null. What makes this safe against timing is that only
 * SHA-256 hashes are compared (the index lookup): how much of a hash matched says nothing about
 * the token. The final constant-time comparison is belt and braces (SPEC §3 asks for one), in
 * case the lookup ever stops being an exact match.
 */
export async function workspaceForToken(db: Database, token: string): Promise<string | null> {
  if (!plausibleToken(token)) return null;
  const hash = hashToken(token);
  const [row] = await db
    .select({ workspaceId: workspaceTokens.workspaceId, tokenHash: workspaceTokens.tokenHash })
    .from(workspaceTokens)
    .where(and(eq(workspaceTokens.tokenHash, hash), isNull(workspaceTokens.revokedAt)))
    .limit(1);
  if (!row) return null;
  const same = timingSafeEqual(Buffer.from(row.tokenHash, "hex"), Buffer.from(hash, "hex"));
  return same ? row.workspaceId : null;
}

/** Tokens we mint are 43 characters; anything far off that is not worth a lookup. */
export function plausibleToken(token: string): boolean {
  return token.length >= 16 && token.length <= 256;
}

/** Reads `Authorization: Bearer <token>` (from fetch Headers, or the header's value itself). */
export function bearerToken(headers: Headers | string | string[] | undefined): string | null {
  const value =
    typeof headers === "string" || headers === undefined || Array.isArray(headers)
      ? Array.isArray(headers)
        ? headers[0]
        : headers
      : headers.get("authorization");
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1] ?? null;
}
