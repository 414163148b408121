/**
 * Where a V8 .cpuprofile (node --cpu-prof, or the CDP profiler) spent its time: by function, self
 * time and total time (the function and what it called), and by file. Also a command line:
 *
 *   pnpm exec tsx lib/cpuprofile.ts <file.cpuprofile> [top=25] [filter] [fromMs-toMs]
 *
 * `filter` keeps only the functions whose name or file contains it (in the total-time list);
 * `fromMs-toMs` only the samples in that window, ms from the profile's start (bench/fleet.ts
 * prints the window of its probes as `profileWindowMs`).
 */
import { readFileSync } from "node:fs";

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  startTime?: number;
  endTime?: number;
}

const nameOf = (frame: CpuProfile["nodes"][number]["callFrame"]) =>
  `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop()}:${frame.lineNumber}`;

/** Milliseconds by function (self and total) and by file (self), largest first. */
export function summarize(profile: CpuProfile, window: [number, number] = [0, Infinity]) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let all = 0;
  let at = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += ms;
    if (at < window[0] || at > window[1]) return;
    const frame = byNode.get(id)?.callFrame;
    if (!frame) return;
    all += ms;
    self.set(nameOf(frame), (self.get(nameOf(frame)) ?? 0) + ms);
    const file = frame.url ? frame.url.replace(/^.*node_modules\/(\.pnpm\/)?/, "") : frame.functionName;
    files.set(file, (files.get(file) ?? 0) + ms);
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = nameOf(byNode.get(at)!.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: all, self: sorted(self), total: sorted(total), files: sorted(files) };
}

export function printSummary(
  title: string,
  profile: CpuProfile,
  top = 25,
  filter = "",
  window: [number, number] = [0, Infinity],
) {
  const { totalMs, self, total, files } = summarize(profile, window);
  const line = ([where, ms]: [string, number]) =>
    `  ${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${where}`;
  console.log(`[profile] ${title}: ${totalMs.toFixed(0)} ms sampled`);
  console.log("self time by function:");
  for (const row of self.slice(0, top)) console.log(line(row));
  console.log("self time by file:");
  for (const row of files.slice(0, top)) console.log(line(row));
  console.log(`total time by function${filter ? ` (matching ${filter})` : ""}:`);
  for (const row of total.filter(([where]) => where.includes(filter)).slice(0, top)) console.log(line(row));
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [file, top, filter, window] = process.argv.slice(2);
  if (!file) throw new Error("usage: tsx lib/cpuprofile.ts <file.cpuprofile> [top] [filter] [fromMs-toMs]");
  const [from, to] = (window ?? "0-Infinity").split("-").map(Number);
  printSummary(file, JSON.parse(readFileSync(file, "utf8")), Number(top ?? 25), filter ?? "", [
    from ?? 0,
    to ?? Infinity,
  ]);
}
