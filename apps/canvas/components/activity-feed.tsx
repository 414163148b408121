"use client";

import { PERSISTED_EVENT_TYPES } from "@molecule/contracts";
import { useState } from "react";
import { describeEvent, eventLabel } from "@/lib/event-text";
import { useCanvas } from "@/lib/store";
import { SideHead } from "./side-head";

/**
 * The org-wide event stream since this page opened (newest first), filterable by type; an entry
 * brings its workspace's card into view.
 */
export function ActivityFeed() {
  const feed = useCanvas((s) => s.feed);
  const workspaces = useCanvas((s) => s.workspaces);
  const [type, setType] = useState<string>("");
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
        <p className="muted side__empty">No events yet: changes appear here as they happen.</p>
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
    </aside>
  );
}
