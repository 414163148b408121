import { redirect } from "next/navigation";
import { signedIn } from "@/lib/admin-session";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignIn() {
  if (await signedIn()) redirect("/");
  return (
    <main className="signin">
      <SignInForm />
    </main>
  );
}
