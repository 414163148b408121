"use client";

import { useId, useMemo, useState } from "react";
import { searchWorkspaces } from "@/lib/search";
import { useCanvas } from "@/lib/store";
import { Modal } from "./modal";
import { StatusPill } from "./status-pill";

/** Ctrl/Cmd+K: find a workspace by name, role, status or runtime; Enter jumps to its card. */
export function SearchDialog() {
  const workspaces = useCanvas((s) => s.workspaces);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const results = useMemo(() => searchWorkspaces(Object.values(workspaces), query), [workspaces, query]);
  const listId = useId();
  const close = () => useCanvas.getState().setSearchOpen(false);
  const go = (id: string) => {
    close();
    useCanvas.getState().focusCard(id);
  };
  const current = results[Math.min(active, results.length - 1)];
  return (
    <Modal title="Find a workspace" onClose={close}>
      <input
        className="search__input"
        role="combobox"
        aria-expanded={results.length > 0}
        aria-controls={listId}
        aria-activedescendant={current ? `${listId}-${current.id}` : undefined}
        aria-label="Search by name, role, status or runtime"
        placeholder="Name, role, status or runtime…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, results.length - 1));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter" && current) {
            e.preventDefault();
            go(current.id);
          }
        }}
      />
      <div className="search__results" id={listId} role="listbox" aria-label="Workspaces found">
        {results.map((ws, i) => (
          <div
            key={ws.id}
            tabIndex={-1}
            id={`${listId}-${ws.id}`}
            role="option"
            aria-selected={ws === current}
            className={`search__result${ws === current ? " search__result--active" : ""}`}
            data-testid="search-result"
            onMouseEnter={() => setActive(i)}
            onMouseDown={(e) => {
              e.preventDefault();
              go(ws.id);
            }}
          >
            <span className="search__name">{ws.name}</span>
            <StatusPill status={ws.status} />
            <span className="search__meta">
              {ws.runtime}
              {ws.role ? ` · ${ws.role}` : ""}
            </span>
          </div>
        ))}
      </div>
      {query && results.length === 0 && <p className="muted">No workspace matches “{query}”.</p>}
    </Modal>
  );
}
