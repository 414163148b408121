"use client";

import { useReactFlow, useStoreApi } from "@xyflow/react";
import { type PointerEvent, useRef } from "react";
import { drawFleet, fitCanvas } from "@/lib/draw-fleet";
import { boundsOf } from "@/lib/layout";
import { useCanvas } from "@/lib/store";
import { fitTransform, viewRect } from "@/lib/viewport";
import { useDark } from "./theme";
import { useFleetRedraw } from "./use-fleet-redraw";

const WIDTH = 200;
const HEIGHT = 140;

/**
 * The whole fleet in a corner, drawn on a canvas from the store (React Flow's MiniMap would draw
 * only the cards React Flow holds, which are the ones in view). Click or drag to move the view.
 */
export function FleetMinimap() {
  const ref = useRef<HTMLCanvasElement>(null);
  const flow = useStoreApi();
  const rf = useReactFlow();
  const dark = useDark();
  const fit = useRef({ x: 0, y: 0, zoom: 1 });

  // The fleet itself is drawn once per change of the fleet (or theme) onto an offscreen canvas;
  // panning only copies that picture and draws the view frame, instead of 5,000 shapes per frame.
  const cache = useRef<{
    canvas: HTMLCanvasElement;
    scene: unknown;
    workspaces: unknown;
    dark: boolean;
  } | null>(null);
  useFleetRedraw(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const ctx = fitCanvas(canvas, WIDTH, HEIGHT);
    const { scene, workspaces } = useCanvas.getState();
    if (!ctx) return;
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    const bounds = boundsOf(scene);
    if (!bounds) return;
    let picture = cache.current;
    if (!picture || picture.scene !== scene || picture.workspaces !== workspaces || picture.dark !== dark) {
      const offscreen = picture?.canvas ?? document.createElement("canvas");
      const octx = fitCanvas(offscreen, WIDTH, HEIGHT);
      if (!octx) return;
      fit.current = fitTransform(bounds, WIDTH, HEIGHT, 0.1, 0.0001, 1);
      drawFleet(octx, scene, workspaces, {
        ...fit.current,
        width: WIDTH,
        height: HEIGHT,
        dark,
        labels: false,
      });
      picture = { canvas: offscreen, scene, workspaces, dark };
      cache.current = picture;
    }
    ctx.drawImage(picture.canvas, 0, 0, WIDTH, HEIGHT);
    // The viewport as a frame on the overview.
    const { transform, width, height } = flow.getState();
    const view = viewRect(transform, width, height);
    const f = fit.current;
    ctx.strokeStyle = dark ? "#e2e8f0" : "#0f172a";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(view.x * f.zoom + f.x, view.y * f.zoom + f.y, view.w * f.zoom, view.h * f.zoom);
  }, [dark]);

  const moveTo = (e: PointerEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const f = fit.current;
    const x = (e.clientX - box.left - f.x) / f.zoom;
    const y = (e.clientY - box.top - f.y) / f.zoom;
    void rf.setCenter(x, y, { zoom: flow.getState().transform[2] });
  };
  return (
    <canvas
      ref={ref}
      className="fleet-minimap"
      style={{ width: WIDTH, height: HEIGHT }}
      aria-label="Overview of every workspace; click to move the view"
      data-testid="minimap"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        moveTo(e);
      }}
      onPointerMove={(e) => {
        if (e.buttons === 1) moveTo(e);
      }}
    />
  );
}
