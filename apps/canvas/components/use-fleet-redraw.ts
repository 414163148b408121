"use client";

import { useStoreApi } from "@xyflow/react";
import { useEffect } from "react";
import { useCanvas } from "@/lib/store";

/**
 * Calls `draw` at most once per frame whenever the viewport moves or resizes, or the store's
 * workspaces or layout change (a status event recolours at once). `draw` reads both stores itself,
 * so nothing here re-renders React.
 */
export function useFleetRedraw(draw: () => void, deps: readonly unknown[]) {
  const flow = useStoreApi();
  useEffect(() => {
    let frame = 0;
    const run = () => {
      frame = 0;
      draw();
    };
    const schedule = () => {
      frame ||= requestAnimationFrame(run);
    };
    schedule();
    const offFlow = flow.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule();
    });
    const offStore = useCanvas.subscribe((s, prev) => {
      if (s.workspaces !== prev.workspaces || s.scene !== prev.scene) schedule();
    });
    return () => {
      offFlow();
      offStore();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [flow, ...deps]);
}
