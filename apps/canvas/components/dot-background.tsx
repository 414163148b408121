"use client";

import { useStoreApi } from "@xyflow/react";
import { type CSSProperties, useEffect, useRef } from "react";

/** Below this many screen pixels between dots the grid is noise, not help: it is hidden. */
const MIN_SCREEN_GAP = 6;

/**
 * The dotted pane, drawn as one composited layer that only moves while the view pans.
 *
 * React Flow's <Background> is an SVG pattern whose offset changes on every frame of a pan, so the
 * browser repaints and rasterises the whole screen of dots each frame; on this machine's software
 * raster that was about half a core while panning (issue 11), with or without cards. Here the dots
 * are a CSS gradient on a layer one gap larger than the pane: a pan moves the layer by the view's
 * offset modulo the gap (the compositor's work, nothing re-rasterised), and only a zoom redraws it.
 * It follows React Flow's store outside React, so panning renders no component.
 */
export function DotBackground({ gap, size, color }: { gap: number; size: number; color: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const flow = useStoreApi();
  useEffect(() => {
    let zoom = Number.NaN;
    const apply = ([x, y, k]: readonly [number, number, number]) => {
      const el = ref.current;
      if (!el) return;
      const step = gap * k;
      if (k !== zoom) {
        zoom = k;
        el.hidden = step < MIN_SCREEN_GAP;
        el.style.backgroundSize = `${step}px ${step}px`;
        el.style.setProperty("--dot-radius", `${Math.max(0.5, (size * k) / 2)}px`);
      }
      if (el.hidden) return;
      // A dot sits on every multiple of `gap` in flow coordinates: the gradient centres it in its cell.
      const dx = mod(x - step / 2, step) - step;
      const dy = mod(y - step / 2, step) - step;
      el.style.transform = `translate3d(${dx}px, ${dy}px, 0)`;
    };
    apply(flow.getState().transform);
    return flow.subscribe((s, prev) => {
      if (s.transform !== prev.transform) apply(s.transform);
    });
  }, [flow, gap, size]);
  return (
    <div
      ref={ref}
      className="dot-background"
      data-testid="dot-background"
      aria-hidden="true"
      style={{ "--dot-color": color } as CSSProperties}
    />
  );
}

const mod = (a: number, n: number) => ((a % n) + n) % n;
