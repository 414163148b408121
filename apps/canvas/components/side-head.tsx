"use client";

import { useCanvas } from "@/lib/store";

/** A side panel's title and its close button. */
export function SideHead({ title }: { title: string }) {
  return (
    <div className="side__head">
      <h2>{title}</h2>
      <button
        type="button"
        className="modal__close"
        aria-label={`Close ${title.toLowerCase()}`}
        onClick={() => useCanvas.getState().setSide(null)}
      >
        ×
      </button>
    </div>
  );
}
