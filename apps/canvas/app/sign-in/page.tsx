import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

// No server-side redirect for a signed-in browser: a redirect would carry the printed link's
// #token=… fragment over to the canvas URL. The form sends it on from the client instead.
export default function SignIn() {
  return (
    <main className="signin">
      <SignInForm />
    </main>
  );
}
