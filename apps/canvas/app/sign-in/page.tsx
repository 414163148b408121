import { redirect } from "next/navigation";
import { adminTokenRequired } from "@/lib/admin-session";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export default function SignIn() {
  if (!adminTokenRequired()) redirect("/");
  return (
    <main className="signin">
      <SignInForm />
    </main>
  );
}
