import { timingSafeEqual } from "node:crypto";

/** Same cookie name the API's operator check reads (packages/api/src/services/operator-auth.ts). */
export const ADMIN_COOKIE = "molecule_admin";

/** Whether the server requires sign-in (SPEC §4: only when ADMIN_TOKEN is set). */
export function adminTokenRequired(): boolean {
  return Boolean(process.env.ADMIN_TOKEN);
}

/** Constant-time comparison against ADMIN_TOKEN; false when no token is configured. */
export function isAdminToken(presented: string | undefined | null): boolean {
  const expected = process.env.ADMIN_TOKEN;
  if (!expected || !presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
