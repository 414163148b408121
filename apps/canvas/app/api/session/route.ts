import { ADMIN_COOKIE, adminTokenRequired, isAdminToken } from "@/lib/admin-session";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });

function cookie(value: string, maxAge: number, secure: boolean) {
  return [
    `${ADMIN_COOKIE}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${maxAge}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** Sign in: `{ token }` checked against ADMIN_TOKEN; sets the httpOnly session cookie. */
export async function POST(req: Request) {
  if (!adminTokenRequired()) return json(200, { ok: true, required: false });
  let token: unknown;
  try {
    token = ((await req.json()) as { token?: unknown }).token;
  } catch {
    return json(400, { error: 'Send JSON: { "token": "…" }.' });
  }
  if (typeof token !== "string" || !isAdminToken(token)) {
    return json(401, { error: "That admin token is not right." });
  }
  const secure = new URL(req.url).protocol === "https:";
  return json(200, { ok: true }, { "set-cookie": cookie(token, 60 * 60 * 24 * 30, secure) });
}

/** Sign out. */
export async function DELETE(req: Request) {
  const secure = new URL(req.url).protocol === "https:";
  return json(200, { ok: true }, { "set-cookie": cookie("", 0, secure) });
}
