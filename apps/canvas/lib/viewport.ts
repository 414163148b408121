import type { Rect } from "./layout";

/**
 * Below this zoom the fleet is drawn as coloured shapes on one <canvas> (fleet-layer.tsx) instead of
 * React Flow cards: at 0.45 a card's text is no longer readable, and thousands of DOM cards are what
 * made zooming out and panning far out slow (issue 11).
 */
export const LOD_ZOOM = 0.45;

export type Transform = readonly [number, number, number];

export const isFar = (zoom: number) => zoom < LOD_ZOOM;

/** The flow-coordinate rectangle the screen shows. */
export function viewRect([tx, ty, zoom]: Transform, width: number, height: number): Rect {
  return { x: -tx / zoom, y: -ty / zoom, w: width / zoom, h: height / zoom };
}

/**
 * Cards handed to React Flow are those in a buffer around the view, recomputed only when the view
 * leaves it: the key changes when the view crosses a grid cell (a quarter of a view) or a zoom band
 * (a quarter octave), so panning re-renders the node list a few times per screen, not every frame.
 */
export function cullKey(transform: Transform, width: number, height: number): string {
  const zoom = transform[2];
  if (isFar(zoom)) return "far";
  const band = Math.floor(Math.log2(zoom) * 4);
  const { cellW, cellH } = cells(band, width, height);
  const view = viewRect(transform, width, height);
  return `${band}:${Math.floor(view.x / cellW)}:${Math.floor(view.y / cellH)}`;
}

function cells(band: number, width: number, height: number) {
  // The band's lowest zoom: the widest view any zoom in the band can show.
  const zoom = 2 ** (band / 4);
  return { cellW: width / zoom / 4, cellH: height / zoom / 4 };
}

/** The buffer for the current key: the view's cell grown by a cell around and a view across. */
export function cullRect(transform: Transform, width: number, height: number): Rect {
  const band = Math.floor(Math.log2(transform[2]) * 4);
  const { cellW, cellH } = cells(band, width, height);
  const view = viewRect(transform, width, height);
  const cx = Math.floor(view.x / cellW);
  const cy = Math.floor(view.y / cellH);
  return { x: (cx - 1) * cellW, y: (cy - 1) * cellH, w: 6 * cellW, h: 6 * cellH };
}

/** A viewport that shows `bounds` whole (with `padding` as a fraction), never above `maxZoom`. */
export function fitTransform(
  bounds: Rect,
  width: number,
  height: number,
  padding: number,
  minZoom: number,
  maxZoom: number,
): { x: number; y: number; zoom: number } {
  const zoom = Math.min(
    maxZoom,
    Math.max(minZoom, Math.min(width / (bounds.w * (1 + padding)), height / (bounds.h * (1 + padding)))),
  );
  return {
    x: width / 2 - (bounds.x + bounds.w / 2) * zoom,
    y: height / 2 - (bounds.y + bounds.h / 2) * zoom,
    zoom,
  };
}
