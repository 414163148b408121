"use client";

import { ACTION_FROM, type CardView, type EventEnvelope, type WorkspaceView } from "@molecule/contracts";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { pauseWorkspace, resumeWorkspace, rotateToken } from "@/lib/actions";
import { buttonFor, usePausedAncestor } from "@/lib/allowed";
import { api, type LogLine, type MemoryView, type SecretKeyView } from "@/lib/api";
import { problemOf } from "@/lib/errors";
import { describeEvent, eventLabel } from "@/lib/event-text";
import { ago, formatCents, formatUptime, reasonOf } from "@/lib/status";
import { useCanvas } from "@/lib/store";
import { useNow } from "@/lib/use-now";
import { AgentSkills } from "./agent-skills";
import { HeartbeatHistory } from "./heartbeat-history";
import { RestartButton } from "./restart-button";
import { RestartHistory } from "./restart-history";
import { StatusPill } from "./status-pill";

type Loaded<T> = { kind: "loading" } | { kind: "ok"; value: T } | { kind: "error"; message: string };

/** Loads `fn` whenever `key` changes; `reload` re-runs it. */
function useLoad<T>(fn: () => Promise<T>, key: string): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ kind: "loading" });
  const [tick, setTick] = useState(0);
  // `key` (and `tick`) decide when to reload; `fn` is a fresh closure every render.
  useEffect(() => {
    let live = true;
    fn().then(
      (value) => live && setState({ kind: "ok", value }),
      (error) => live && setState({ kind: "error", message: problemOf(error).message }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  return [state, useCallback(() => setTick((t) => t + 1), [])];
}

function Timeline({ id, version }: { id: string; version: string }) {
  const [page, reload] = useLoad(() => api.events(id), `${id}:${version}`);
  const [older, setOlder] = useState<EventEnvelope[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [olderError, setOlderError] = useState<string | null>(null);
  useEffect(() => {
    setOlder([]);
    setOlderError(null);
    setCursor(page.kind === "ok" ? page.value.nextCursor : null);
  }, [page]);
  if (page.kind === "loading") return <p className="muted">Loading…</p>;
  if (page.kind === "error")
    return (
      <p className="muted">
        Could not load the timeline: {page.message}{" "}
        <button type="button" className="link" onClick={reload}>
          Retry
        </button>
      </p>
    );
  const events = [...page.value.events, ...older];
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <>
      <ol className="timeline">
        {events.map((e) => (
          <li key={e.id} className={`timeline__item timeline__item--${e.type.toLowerCase()}`}>
            <span className="timeline__type">{eventLabel(e.type)}</span>
            <time dateTime={e.at} title={e.at}>
              {new Date(e.at).toLocaleString()}
            </time>
            {describeEvent(e) && <span className="timeline__detail">{describeEvent(e)}</span>}
          </li>
        ))}
      </ol>
      {cursor && (
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          onClick={async () => {
            setOlderError(null);
            try {
              const next = await api.events(id, cursor);
              setOlder((o) => [...o, ...next.events]);
              setCursor(next.nextCursor);
            } catch (error) {
              setOlderError(`Could not load older events: ${problemOf(error).message}`);
            }
          }}
        >
          Older events
        </button>
      )}
      {olderError && (
        <p className="field__error" role="alert">
          {olderError}
        </p>
      )}
    </>
  );
}

function Secrets({ id, initial }: { id: string; initial: SecretKeyView[] | null }) {
  const [keys, setKeys] = useState<SecretKeyView[] | null>(initial);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setKeys(initial), [initial]);
  // Called after a change succeeded: if the list cannot be read back, say so (the change stands).
  const refresh = async () => {
    try {
      setKeys(await api.secretList(id));
    } catch (err) {
      setError(`Saved, but the list could not be reloaded: ${problemOf(err).message}`);
    }
  };
  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await api.secretSet(id, key.trim(), value);
      setKey("");
      setValue("");
      await refresh();
    } catch (err) {
      const p = problemOf(err);
      setError(p.fields.key ?? p.fields.value ?? p.message);
    }
  }
  return (
    <>
      {keys && keys.length > 0 ? (
        <ul className="kv">
          {keys.map((s) => (
            <li key={s.key}>
              <code>{s.key}</code>
              <span className="muted">set {new Date(s.updatedAt).toLocaleDateString()}</span>
              <button
                type="button"
                className="link link--danger"
                aria-label={`Delete secret ${s.key}`}
                onClick={async () => {
                  try {
                    await api.secretDelete(id, s.key);
                    await refresh();
                  } catch (err) {
                    setError(problemOf(err).message);
                  }
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No secrets. Values are encrypted and never shown again.</p>
      )}
      <form className="inline-form" onSubmit={add}>
        <input
          aria-label="Secret key"
          placeholder="API_KEY"
          value={key}
          onChange={(e) => setKey(e.target.value.toUpperCase())}
        />
        <input
          aria-label="Secret value"
          placeholder="value"
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="btn btn--sm" disabled={!key || !value}>
          Add
        </button>
      </form>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function Logs({ id, external }: { id: string; external: boolean }) {
  const [logs, reload] = useLoad(() => api.logs(id), id);
  if (external) return <p className="muted">External agents run elsewhere; their output is not collected.</p>;
  return (
    <>
      {logs.kind === "loading" && <p className="muted">Loading…</p>}
      {logs.kind === "error" && <p className="muted">Could not load logs: {logs.message}</p>}
      {logs.kind === "ok" &&
        (logs.value.length === 0 ? (
          <p className="muted">No output captured.</p>
        ) : (
          <pre className="logs">
            {logs.value.map((l: LogLine, i: number) => (
              <span key={i} className={`logs__line logs__line--${l.stream}`}>
                {l.line}
                {"\n"}
              </span>
            ))}
          </pre>
        ))}
      <button type="button" className="btn btn--ghost btn--sm" onClick={reload}>
        Refresh logs
      </button>
    </>
  );
}

/** Every field: the details answer for what a card does not carry, the live card for the rest. */
function Fields({ card, full }: { card: CardView; full: WorkspaceView | null }) {
  const now = useNow(1000);
  const ws: WorkspaceView | (CardView & Partial<WorkspaceView>) = full ? { ...full, ...card } : card;
  const more = (value: string | undefined) => value ?? (full ? "—" : "…");
  const rows: [string, string][] = [
    ["Role", ws.role || "—"],
    ["Tier", String(ws.tier)],
    ["Runtime", ws.runtime],
    ["Model", more(ws.model) || "—"],
    ["External", ws.external ? "yes" : "no"],
    ["URL", full ? (ws.url ?? "—") : "…"],
    ["Last heartbeat", ago(ws.lastHeartbeatAt, now)],
    ["Uptime", formatUptime(ws.uptimeSeconds)],
    ["Error rate", `${Math.round(ws.lastErrorRate * 100)}%`],
    ["Runtime state", ws.runtimeState || "—"],
    ["Tasks", `${ws.activeTasks} of ${ws.maxConcurrentTasks}`],
    ["Current task", ws.currentTask || "—"],
    ["Spend this month", formatCents(ws.monthlySpend)],
    ["Budget", full ? formatCents(full.budgetLimit) : "…"],
    ["Directives", full ? full.pendingDirectives.join(", ") || "—" : "…"],
    [
      "Workspace dir",
      full ? (full.workspaceDir ? `${full.workspaceDir} (${full.workspaceAccess})` : "—") : "…",
    ],
    ["Forwarded to", full ? (full.forwardedTo ?? "—") : "…"],
    ["Namespace", more(full?.awarenessNamespace)],
    ["Created", full ? new Date(full.createdAt).toLocaleString() : "…"],
    ["Id", ws.id],
  ];
  return (
    <dl className="fields">
      {rows.map(([k, v]) => (
        <div key={k} className="fields__row">
          <dt>{k}</dt>
          <dd title={v}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function DetailsPanel() {
  const id = useCanvas((s) => s.selectedId);
  const exists = useCanvas((s) => (s.selectedId ? s.workspaces[s.selectedId] !== undefined : false));
  const close = useCanvas((s) => s.select);

  useEffect(() => {
    if (!id) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector(".modal")) close(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [id, close]);

  // Keyed by id: switching cards starts from a clean slate instead of showing the last one's data.
  return id && exists ? <Details key={id} id={id} /> : null;
}

/** Restart, pause/resume, rotate token, remove: offered and enabled by the shared rule (SPEC §2). */
function Actions({ ws }: { ws: CardView }) {
  const pausedAncestor = usePausedAncestor(ws.id);
  const resume = buttonFor("resume", ws.status, pausedAncestor);
  return (
    <div className="panel__actions">
      {ACTION_FROM.restart.includes(ws.status) && <RestartButton id={ws.id} status={ws.status} />}
      {ws.status === "paused" ? (
        <button
          type="button"
          className="btn"
          disabled={!resume.enabled}
          title={resume.title}
          onClick={() => void resumeWorkspace(ws.id)}
        >
          Resume
        </button>
      ) : (
        buttonFor("pause", ws.status, pausedAncestor).enabled && (
          <button type="button" className="btn" onClick={() => void pauseWorkspace(ws.id)}>
            Pause
          </button>
        )
      )}
      {ws.external && (
        <button type="button" className="btn" onClick={() => void rotateToken(ws.id)}>
          Rotate token
        </button>
      )}
      <button
        type="button"
        className="btn btn--danger-ghost"
        onClick={() => useCanvas.getState().setRemoveId(ws.id)}
      >
        Remove…
      </button>
    </div>
  );
}

function Details({ id }: { id: string }) {
  const ws = useCanvas((s) => s.workspaces[id]);
  const close = useCanvas((s) => s.select);
  // Refetch details whenever the workspace itself changes (status, parent, card…), not on telemetry.
  const version = ws ? `${ws.status}:${ws.updatedAt}` : "";
  const [details] = useLoad(() => api.get(id), version);

  if (!ws) return null;
  const memories: MemoryView[] | null = details.kind === "ok" ? details.value.memories : null;
  const secretKeys = details.kind === "ok" ? details.value.secretKeys : null;
  return (
    <aside className="panel" aria-label={`Details of ${ws.name}`} data-testid="details-panel">
      <div className="panel__head">
        <div>
          <h2>{ws.name}</h2>
          <StatusPill status={ws.status} />
        </div>
        <button type="button" className="modal__close" aria-label="Close details" onClick={() => close(null)}>
          ×
        </button>
      </div>
      {reasonOf(ws) && <pre className={`panel__reason panel__reason--${ws.status}`}>{reasonOf(ws)}</pre>}
      {ws.status !== "removed" && <Actions ws={ws} />}
      <section>
        <h3>Overview</h3>
        <Fields card={ws} full={details.kind === "ok" ? details.value.workspace : null} />
      </section>
      <section aria-label="Last minutes">
        <h3>Last minutes</h3>
        <HeartbeatHistory id={ws.id} />
      </section>
      <section>
        <h3>Skills</h3>
        {details.kind === "error" ? (
          <p className="muted">Could not load: {details.message}</p>
        ) : (
          <AgentSkills card={details.kind === "ok" ? details.value.agentCard : null} />
        )}
      </section>
      <section>
        <h3>Restarts</h3>
        <RestartHistory id={ws.id} version={version} />
      </section>
      <section>
        <h3>Status timeline</h3>
        <Timeline id={ws.id} version={version} />
      </section>
      <section>
        <h3>Secrets</h3>
        {details.kind === "error" ? (
          <p className="muted">Could not load: {details.message}</p>
        ) : (
          <Secrets id={ws.id} initial={secretKeys} />
        )}
      </section>
      <section>
        <h3>Memories</h3>
        {memories === null ? (
          <p className="muted">
            {details.kind === "error" ? `Could not load: ${details.message}` : "Loading…"}
          </p>
        ) : memories.length === 0 ? (
          <p className="muted">No memories.</p>
        ) : (
          <ul className="memories">
            {memories.map((m) => (
              <li key={m.id}>
                <span className="chip">{m.scope}</span> {m.content}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h3>Process logs</h3>
        <Logs id={ws.id} external={ws.external} />
      </section>
    </aside>
  );
}
