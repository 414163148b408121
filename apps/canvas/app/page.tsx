import { CanvasApp } from "@/components/canvas-app";

// Operator auth is always on (SPEC §4 [r2]): the server's entry sends a request without a session
// to /sign-in before it reaches this page.
export default function Home() {
  return <CanvasApp signOut />;
}
