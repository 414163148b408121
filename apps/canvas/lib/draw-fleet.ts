import type { CardView, WorkspaceStatus } from "@molecule/contracts";
import type { SceneItem } from "./layout";
import { STATUS_COLOURS } from "./status-colours";

export interface DrawOptions {
  /** Screen = flow × zoom + (x, y), in CSS pixels. */
  x: number;
  y: number;
  zoom: number;
  width: number;
  height: number;
  dark: boolean;
  /** Names on regions (the far layer); the minimap is too small for text. */
  labels: boolean;
}

/**
 * Draws the fleet: parents as tinted regions, every other card as a block in its status colour.
 * One path per colour (a fill per status, not per card), and cards off-screen are skipped, so 5,000
 * cards cost a few milliseconds, whatever the zoom.
 */
export function drawFleet(
  ctx: CanvasRenderingContext2D,
  scene: readonly SceneItem[],
  workspaces: Record<string, CardView>,
  o: DrawOptions,
) {
  ctx.clearRect(0, 0, o.width, o.height);
  const visible = (sx: number, sy: number, sw: number, sh: number) =>
    sx + sw >= 0 && sy + sh >= 0 && sx <= o.width && sy <= o.height;

  // Regions first, under their children.
  ctx.lineWidth = 1;
  for (const s of scene) {
    if (!s.region) continue;
    const sx = s.x * o.zoom + o.x;
    const sy = s.y * o.zoom + o.y;
    const sw = s.w * o.zoom;
    const sh = s.h * o.zoom;
    if (!visible(sx, sy, sw, sh)) continue;
    const colour = STATUS_COLOURS[workspaces[s.id]?.status ?? "removed"];
    ctx.fillStyle = o.dark ? "rgba(148,163,184,0.10)" : "rgba(100,116,139,0.08)";
    ctx.fillRect(sx, sy, sw, sh);
    ctx.strokeStyle = colour;
    ctx.strokeRect(sx + 0.5, sy + 0.5, sw - 1, sh - 1);
    // The parent's own status: a bar along the top of its region.
    ctx.fillStyle = colour;
    ctx.fillRect(sx, sy, sw, Math.max(2, Math.min(6, 40 * o.zoom)));
    if (o.labels && sw > 60) {
      ctx.fillStyle = o.dark ? "#e2e8f0" : "#334155";
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.fillText(workspaces[s.id]?.name ?? "", sx + 4, sy + 18, sw - 8);
    }
  }

  const paths = new Map<WorkspaceStatus, Path2D>();
  const gap = o.zoom * 16; // keeps neighbours apart at every zoom
  for (const s of scene) {
    if (s.region) continue;
    const sx = s.x * o.zoom + o.x;
    const sy = s.y * o.zoom + o.y;
    const sw = Math.max(1.5, s.w * o.zoom - gap);
    const sh = Math.max(1.5, s.h * o.zoom - gap);
    if (!visible(sx, sy, sw, sh)) continue;
    const status = workspaces[s.id]?.status ?? "removed";
    let path = paths.get(status);
    if (!path) {
      path = new Path2D();
      paths.set(status, path);
    }
    path.rect(sx, sy, sw, sh);
  }
  for (const [status, path] of paths) {
    ctx.fillStyle = STATUS_COLOURS[status];
    ctx.fill(path);
  }
}

/** Sizes a canvas's backing store to its CSS box × devicePixelRatio (crisp on HiDPI screens). */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.round(width * ratio);
  const h = Math.round(height * ratio);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d");
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}
