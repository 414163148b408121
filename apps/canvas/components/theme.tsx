"use client";

import { useEffect, useSyncExternalStore } from "react";
import { type Theme, useCanvas } from "@/lib/store";

const STORAGE_KEY = "molecule-theme";
const query = "(prefers-color-scheme: dark)";

function subscribeSystem(onChange: () => void) {
  const media = window.matchMedia(query);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
}
const systemDark = () => window.matchMedia(query).matches;

/** Dark when the operator chose it, or left it to the system and the system is dark. */
export function useDark(): boolean {
  const chosen = useCanvas((s) => s.theme);
  const system = useSyncExternalStore(subscribeSystem, systemDark, () => false);
  return chosen ? chosen === "dark" : system;
}

/** Reads the saved choice once and keeps `<html data-theme>` in step (globals.css keys off it). */
export function ThemeSync() {
  const dark = useDark();
  useEffect(() => {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === "dark" || saved === "light") useCanvas.getState().setTheme(saved);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? "dark" : "light";
  }, [dark]);
  return null;
}

/** Light ↔ dark; the choice overrides the system preference and is remembered. */
export function ThemeToggle() {
  const dark = useDark();
  const next: Theme = dark ? "light" : "dark";
  return (
    <button
      type="button"
      className="btn btn--ghost btn--icon"
      aria-label={`Switch to ${next} mode`}
      title={`Switch to ${next} mode`}
      data-testid="theme-toggle"
      onClick={() => {
        window.localStorage.setItem(STORAGE_KEY, next);
        useCanvas.getState().setTheme(next);
      }}
    >
      {dark ? "☀" : "☾"}
    </button>
  );
}
