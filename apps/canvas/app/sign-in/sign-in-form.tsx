"use client";

import { type FormEvent, useCallback, useEffect, useState } from "react";

/** The token in the printed link `/sign-in#token=…` (a fragment: it never reaches the server's logs). */
function tokenFromFragment(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  return params.get("token");
}

export function SignInForm() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signIn = useCallback(async (presented: string) => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: presented }),
      });
      if (res.ok) {
        window.location.replace("/");
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      setError(body.error ?? `Sign-in failed (HTTP ${res.status}).`);
    } catch {
      setError("Could not reach the server.");
    } finally {
      setBusy(false);
    }
  }, []);

  // Opened from the printed link: take the token out of the address bar (and history) at once,
  // then sign in with it. A wrong one stays in the field so the error has something to point at.
  const signInFromLink = useCallback((): boolean => {
    const fromLink = tokenFromFragment();
    if (!fromLink) return false;
    window.history.replaceState(null, "", window.location.pathname);
    setToken(fromLink);
    void signIn(fromLink);
    return true;
  }, [signIn]);

  // Without a link, a browser that is already signed in goes straight on to the canvas. The link
  // pasted into a tab already showing /sign-in changes only the fragment (no page load): listen.
  useEffect(() => {
    if (!signInFromLink()) {
      fetch("/api/session")
        .then((res) => res.json() as Promise<{ signedIn?: boolean }>)
        .then((state) => {
          if (state.signedIn) window.location.replace("/");
        })
        .catch(() => {});
    }
    const onHash = () => void signInFromLink();
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, [signInFromLink]);

  function submit(e: FormEvent) {
    e.preventDefault();
    void signIn(token.trim());
  }

  return (
    <form className="signin__card" onSubmit={submit}>
      <h1>Molecule</h1>
      <p className="muted">
        Open the sign-in link the server printed when it started, or paste its admin token (ADMIN_TOKEN, or
        the file <code>admin-token</code> in its data directory).
      </p>
      <div className={`field${error ? " field--error" : ""}`}>
        <label htmlFor="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "admin-token-error" : undefined}
        />
        {error && (
          <p className="field__error" id="admin-token-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="submit" className="btn btn--primary btn--lg" disabled={busy || !token}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
