"use client";

import { PERSISTED_EVENT_TYPES } from "@molecule/contracts";
import { useState } from "react";
import { describeEvent, eventLabel } from "@/lib/event-text";
import { useCanvas } from "@/lib/store";
import { useFeedHistory } from "@/lib/use-feed-history";
import { SideHead } from "./side-head";

/**
 * The org-wide event stream (newest first): the latest events from before the page opened
 * (events.recent), then live ones as they happen, older pages on request. Filterable by type; an
 * entry brings its workspace's card into view.
 */
export function ActivityFeed() {
  const feed = useCanvas((s) => s.feed);
  const workspaces = useCanvas((s) => s.workspaces);
  const [type, setType] = useState<string>("");
  const history = useFeedHistory();
  const shown = type ? feed.filter((e) => e.type === type) : feed;
  return (
    <aside className="side" aria-label="Activity" data-testid="activity-feed">
      <SideHead title="Activity" />
      <label className="side__filter">
        <span>Show</span>
        <select value={type} onChange={(e) => setType(e.target.value)} aria-label="Event type">
          <option value="">every event</option>
          {PERSISTED_EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {eventLabel(t)}
            </option>
          ))}
        </select>
      </label>
      {shown.length === 0 ? (
        <p className="muted side__empty">
          {history.loading ? "Loading…" : "No events yet: changes appear here as they happen."}
        </p>
      ) : (
        <ol className="side__list">
          {shown.map((e) => {
            const detail = describeEvent(e);
            return (
              <li key={e.id}>
                <button
                  type="button"
                  className={`feed-item timeline__item--${e.type.toLowerCase()}`}
                  data-testid="feed-item"
                  data-event-type={e.type}
                  onClick={() => useCanvas.getState().focusCard(e.workspaceId)}
                >
                  <span className="feed-item__type">{eventLabel(e.type)}</span>
                  <span className="feed-item__name">
                    {workspaces[e.workspaceId]?.name ?? "removed workspace"}
                  </span>
                  <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>
                  {detail && <span className="feed-item__detail">{detail}</span>}
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <div className="side__more">
        {history.error && (
          <p className="field__error" role="alert">
            {history.error}{" "}
            <button type="button" className="link" onClick={history.retry}>
              Retry
            </button>
          </p>
        )}
        {history.more && !history.error && (
          <button
            type="button"
            className="btn btn--ghost btn--sm"
            disabled={history.loading}
            onClick={history.loadOlder}
          >
            {history.loading ? "Loading…" : "Load older"}
          </button>
        )}
      </div>
    </aside>
  );
}
