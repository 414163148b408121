"use client";

import { useStoreApi } from "@xyflow/react";
import { useRef } from "react";
import { drawFleet, fitCanvas } from "@/lib/draw-fleet";
import { useCanvas } from "@/lib/store";
import { isFar } from "@/lib/viewport";
import { useDark } from "./theme";
import { useFleetRedraw } from "./use-fleet-redraw";

/**
 * The far-zoom level of detail: below LOD_ZOOM React Flow holds no cards, and this one <canvas>
 * draws the whole fleet from the store. It redraws (once per frame at most) when the viewport moves
 * and when the store changes, so a status event recolours its shape at once. It takes no pointer
 * events: the pane under it pans, and FlowCanvas turns pane hovers and clicks into names and zooms.
 */
export function FleetLayer() {
  const ref = useRef<HTMLCanvasElement>(null);
  const flow = useStoreApi();
  const dark = useDark();
  // Near, the layer is blank: cleared once, not on every frame of a pan.
  const blank = useRef(false);
  useFleetRedraw(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const { transform, width, height } = flow.getState();
    const far = isFar(transform[2]);
    canvas.dataset.lod = far ? "far" : "near";
    if (!far && blank.current && canvas.width === Math.round(width * (window.devicePixelRatio || 1))) return;
    const ctx = fitCanvas(canvas, width, height);
    if (!ctx) return;
    blank.current = !far;
    if (!far) {
      ctx.clearRect(0, 0, width, height);
      return;
    }
    const { scene, workspaces } = useCanvas.getState();
    const [x, y, zoom] = transform;
    drawFleet(ctx, scene, workspaces, { x, y, zoom, width, height, dark, labels: true });
  }, [dark]);
  return (
    <canvas
      ref={ref}
      className="fleet-layer"
      data-testid="fleet-layer"
      role="img"
      aria-label="Every workspace as a shape in its status colour"
    />
  );
}
