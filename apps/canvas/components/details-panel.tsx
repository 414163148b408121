"use client";

import { ACTION_FROM, type CardView, type WorkspaceView } from "@molecule/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { pauseWorkspace, resumeWorkspace, rotateToken } from "@/lib/actions";
import { buttonFor, usePausedAncestor } from "@/lib/allowed";
import type { LogLine, MemoryView } from "@/lib/api";
import { problemOf } from "@/lib/errors";
import { describeEvent, eventLabel } from "@/lib/event-text";
import { rq } from "@/lib/query";
import { ago, formatCents, formatUptime, reasonOf } from "@/lib/status";
import { useCanvas } from "@/lib/store";
import { useNow } from "@/lib/use-now";
import { AgentSkills } from "./agent-skills";
import { HeartbeatHistory } from "./heartbeat-history";
import { RestartButton } from "./restart-button";
import { RestartHistory } from "./restart-history";
import { StatusPill } from "./status-pill";

/**
 * Refetches the panel's queries of this workspace when the workspace itself changes (status,
 * parent, card…), not on telemetry: the first render reads the cache, later versions refetch.
 */
function useRefetchOnVersion(refetch: () => unknown, version: string) {
  const [seen, setSeen] = useState(version);
  useEffect(() => {
    if (version === seen) return;
    setSeen(version);
    void refetch();
  }, [version, seen, refetch]);
}

function Timeline({ id, version }: { id: string; version: string }) {
  // Pages of the timeline, newest first; "Older events" fetches the next cursor.
  const timeline = useInfiniteQuery(
    rq.workspace.events.infiniteQueryOptions(
      { id },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, staleTime: 0 },
    ),
  );
  useRefetchOnVersion(timeline.refetch, version);
  if (timeline.isPending) return <p className="muted">Loading…</p>;
  if (timeline.isError && !timeline.data)
    return (
      <p className="muted">
        Could not load the timeline: {problemOf(timeline.error).message}{" "}
        <button type="button" className="link" onClick={() => void timeline.refetch()}>
          Retry
        </button>
      </p>
    );
  const events = timeline.data.pages.flatMap((p) => p.events);
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
      {timeline.hasNextPage && (
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          disabled={timeline.isFetchingNextPage}
          onClick={() => void timeline.fetchNextPage()}
        >
          {timeline.isFetchingNextPage ? "Loading…" : "Older events"}
        </button>
      )}
      {timeline.isFetchNextPageError && (
        <p className="field__error" role="alert">
          Could not load older events: {problemOf(timeline.error).message}
        </p>
      )}
    </>
  );
}

function Secrets({ id }: { id: string }) {
  const client = useQueryClient();
  const keys = useQuery(rq.secret.list.queryOptions({ id }));
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  // After a change succeeded: reload the list; if it cannot be read back, say so (the change stands).
  const refresh = async () => {
    await client.invalidateQueries(rq.secret.list.queryFilter({ id }));
    const failed = client.getQueryState(rq.secret.list.queryKey({ id }))?.error;
    if (failed) setError(`Saved, but the list could not be reloaded: ${problemOf(failed).message}`);
  };
  const set = useMutation(rq.secret.set.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(rq.secret.delete.mutationOptions({ onSuccess: refresh }));
  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await set.mutateAsync({ id, key: key.trim(), value });
      setKey("");
      setValue("");
    } catch (err) {
      const p = problemOf(err);
      setError(p.fields.key ?? p.fields.value ?? p.message);
    }
  }
  return (
    <>
      {keys.isError && !keys.data ? (
        <p className="muted">Could not load: {problemOf(keys.error).message}</p>
      ) : keys.data && keys.data.length > 0 ? (
        <ul className="kv">
          {keys.data.map((s) => (
            <li key={s.key}>
              <code>{s.key}</code>
              <span className="muted">set {new Date(s.updatedAt).toLocaleDateString()}</span>
              <button
                type="button"
                className="link link--danger"
                aria-label={`Delete secret ${s.key}`}
                disabled={remove.isPending}
                onClick={() => {
                  setError(null);
                  remove.mutate({ id, key: s.key }, { onError: (err) => setError(problemOf(err).message) });
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : keys.isPending ? (
        <p className="muted">Loading…</p>
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
        <button type="submit" className="btn btn--sm" disabled={!key || !value || set.isPending}>
          {set.isPending ? "Adding…" : "Add"}
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
  // Output changes all the time: always read afresh when shown, and on "Refresh logs".
  const logs = useQuery(rq.workspace.logs.queryOptions({ id }, { enabled: !external, staleTime: 0 }));
  if (external) return <p className="muted">External agents run elsewhere; their output is not collected.</p>;
  return (
    <>
      {logs.isPending && <p className="muted">Loading…</p>}
      {logs.isError && <p className="muted">Could not load logs: {problemOf(logs.error).message}</p>}
      {logs.data &&
        (logs.data.length === 0 ? (
          <p className="muted">No output captured.</p>
        ) : (
          <pre className="logs">
            {logs.data.map((l: LogLine, i: number) => (
              <span key={i} className={`logs__line logs__line--${l.stream}`}>
                {l.line}
                {"\n"}
              </span>
            ))}
          </pre>
        ))}
      <button
        type="button"
        className="btn btn--ghost btn--sm"
        disabled={logs.isFetching}
        onClick={() => void logs.refetch()}
      >
        {logs.isFetching && !logs.isPending ? "Refreshing…" : "Refresh logs"}
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
  const details = useQuery(rq.workspace.get.queryOptions({ id }));
  useRefetchOnVersion(details.refetch, version);

  if (!ws) return null;
  const memories: MemoryView[] | null = details.data?.memories ?? null;
  const detailsError = details.isError && !details.data ? problemOf(details.error).message : null;
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
        <Fields card={ws} full={details.data?.workspace ?? null} />
      </section>
      <section aria-label="Last minutes">
        <h3>Last minutes</h3>
        <HeartbeatHistory id={ws.id} />
      </section>
      <section>
        <h3>Skills</h3>
        {detailsError ? (
          <p className="muted">Could not load: {detailsError}</p>
        ) : (
          <AgentSkills card={details.data?.agentCard ?? null} />
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
        <Secrets id={ws.id} />
      </section>
      <section>
        <h3>Memories</h3>
        {memories === null ? (
          <p className="muted">{detailsError ? `Could not load: ${detailsError}` : "Loading…"}</p>
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
