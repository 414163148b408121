"use client";

import { type FormEvent, useState } from "react";

export function SignInForm() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      if (res.ok) {
        window.location.href = "/";
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      setError(body.error ?? "Sign-in failed.");
    } catch {
      setError("Could not reach the server.");
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="signin__card" onSubmit={submit}>
      <h1>Molecule</h1>
      <p className="muted">This control plane is protected. Enter the admin token it was started with.</p>
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
