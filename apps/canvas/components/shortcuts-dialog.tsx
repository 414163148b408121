"use client";

import { useCanvas } from "@/lib/store";
import { Modal } from "./modal";

const SHORTCUTS: [string, string][] = [
  ["Ctrl K / ⌘ K", "Find a workspace by name, role, status or runtime"],
  ["?", "This list"],
  ["Tab", "Move between cards and buttons"],
  ["Enter", "Open the focused card's details"],
  ["Esc", "Close a dialog, menu or panel"],
  ["↑ ↓ Home End", "Move within a menu or the search results"],
  ["Right click", "A card's actions"],
  ["Scroll / drag", "Zoom / pan; far out, click a shape to zoom to its card"],
];

export function ShortcutsDialog() {
  const open = useCanvas((s) => s.shortcutsOpen);
  if (!open) return null;
  return (
    <Modal title="Keyboard shortcuts" onClose={() => useCanvas.getState().setShortcutsOpen(false)}>
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="shortcuts__row">
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
