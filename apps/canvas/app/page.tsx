import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { CanvasApp } from "@/components/canvas-app";
import { ADMIN_COOKIE, adminTokenRequired, isAdminToken } from "@/lib/admin-session";

// Reads the session cookie and ADMIN_TOKEN at request time, never at build time.
export const dynamic = "force-dynamic";

export default async function Home() {
  const required = adminTokenRequired();
  if (required && !isAdminToken((await cookies()).get(ADMIN_COOKIE)?.value)) redirect("/sign-in");
  return <CanvasApp signOut={required} />;
}
