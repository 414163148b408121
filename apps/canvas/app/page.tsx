import { redirect } from "next/navigation";
import { CanvasApp } from "@/components/canvas-app";
import { signedIn } from "@/lib/admin-session";

// Reads the session cookie at request time, never at build time.
export const dynamic = "force-dynamic";

export default async function Home() {
  // Operator auth is always on (SPEC §4 [r2]): no session, no canvas.
  if (!(await signedIn())) redirect("/sign-in");
  return <CanvasApp signOut />;
}
