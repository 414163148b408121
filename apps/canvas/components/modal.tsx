"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";

/** A small accessible dialog: labelled, focus moves in, Escape and the backdrop close it. */
export function Modal({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  // A click on the backdrop closes (a mouse convenience; Escape and × are the accessible ways).
  useEffect(() => {
    const el = backdrop.current;
    const onDown = (e: MouseEvent) => e.target === el && onClose();
    el?.addEventListener("mousedown", onDown);
    return () => el?.removeEventListener("mousedown", onDown);
  }, [onClose]);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      "input, select, textarea, button:not(.modal__close)",
    );
    first?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div className="backdrop" ref={backdrop} role="presentation">
      <div
        ref={ref}
        className={`modal${wide ? " modal--wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <div className="modal__head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="modal__close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
