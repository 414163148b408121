"use client";

import { useState } from "react";
import { removeWorkspace, reparent } from "@/lib/actions";
import { descendantsOf } from "@/lib/layout";
import { useCanvas } from "@/lib/store";
import { Modal } from "./modal";

/** Drop onto another card → confirm before it changes who reports to whom. */
export function NestDialog() {
  const nest = useCanvas((s) => s.pendingNest);
  const child = useCanvas((s) => (nest ? s.workspaces[nest.childId] : undefined));
  const target = useCanvas((s) => (nest ? s.workspaces[nest.targetId] : undefined));
  if (!nest || !child || !target) return null;
  const cancel = () => {
    useCanvas.getState().setPendingNest(null);
    useCanvas.getState().resetNodes();
  };
  const confirm = () => {
    useCanvas.getState().setPendingNest(null);
    void reparent(nest.childId, nest.targetId, nest.x, nest.y);
  };
  return (
    <Modal title="Move into another workspace?" onClose={cancel}>
      <p className="modal__text">
        <strong>{child.name}</strong> will report to <strong>{target.name}</strong> and be drawn inside its
        card.
      </p>
      <div className="form__actions">
        <button type="button" className="btn btn--ghost" onClick={cancel}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" onClick={confirm}>
          Move into {target.name}
        </button>
      </div>
    </Modal>
  );
}

/** Remove, listing every workspace below it; removing those too needs an explicit cascade. */
export function RemoveDialog() {
  const id = useCanvas((s) => s.removeId);
  // Keyed by the workspace: a cascade ticked (or an error shown) for one never carries over.
  return id ? <RemoveConfirm key={id} id={id} /> : null;
}

function RemoveConfirm({ id }: { id: string }) {
  const ws = useCanvas((s) => s.workspaces[id]);
  const [cascade, setCascade] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!ws) return null;
  const below = descendantsOf(useCanvas.getState().workspaces, id);
  const close = () => useCanvas.getState().setRemoveId(null);
  return (
    <Modal title={`Remove ${ws.name}?`} onClose={close}>
      <p className="modal__text">
        Its process is stopped and its token revoked. The record is kept as a tombstone for the audit trail.
      </p>
      {below.length > 0 && (
        <div className="cascade">
          <p>
            {below.length} workspace{below.length === 1 ? "" : "s"} report{below.length === 1 ? "s" : ""} to
            it:
          </p>
          <ul>
            {below.slice(0, 20).map((w) => (
              <li key={w.id}>{w.name}</li>
            ))}
            {below.length > 20 && <li>…and {below.length - 20} more</li>}
          </ul>
          <label className="field--check">
            <input type="checkbox" checked={cascade} onChange={(e) => setCascade(e.target.checked)} />
            Also remove these {below.length}
          </label>
        </div>
      )}
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      <div className="form__actions">
        <button type="button" className="btn btn--ghost" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn--danger"
          disabled={busy || (below.length > 0 && !cascade)}
          onClick={async () => {
            setBusy(true);
            const problem = await removeWorkspace(id, cascade);
            setBusy(false);
            if (problem) setError(problem);
            else {
              useCanvas.getState().toast("success", `Removed ${ws.name}.`);
              close();
            }
          }}
        >
          {busy ? "Removing…" : below.length > 0 ? `Remove ${below.length + 1} workspaces` : "Remove"}
        </button>
      </div>
    </Modal>
  );
}

/** A token is shown exactly once, with a copyable snippet to connect an external agent. */
export function TokenDialog() {
  const reveal = useCanvas((s) => s.tokenReveal);
  const [copied, setCopied] = useState(false);
  if (!reveal) return null;
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const snippet = [
    `export MOLECULE_PLATFORM_URL=${origin}`,
    `export MOLECULE_WORKSPACE_ID=${reveal.id}`,
    `export MOLECULE_WORKSPACE_TOKEN=${reveal.token}`,
  ].join("\n");
  const close = () => {
    setCopied(false);
    useCanvas.getState().setTokenReveal(null);
  };
  return (
    <Modal
      title={reveal.reason === "created" ? `Connect ${reveal.name}` : `New token for ${reveal.name}`}
      onClose={close}
      wide
    >
      <p className="modal__text">
        Copy it now: this token is shown once.
        {reveal.reason === "rotated" && " The previous token has stopped working."}
      </p>
      <pre className="snippet" data-testid="token-snippet">
        {snippet}
      </pre>
      <div className="form__actions">
        <button
          type="button"
          className="btn btn--ghost"
          onClick={async () => {
            await navigator.clipboard?.writeText(snippet).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="btn btn--primary" onClick={close}>
          Done
        </button>
      </div>
    </Modal>
  );
}
