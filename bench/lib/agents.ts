/**
 * Paced heartbeating agents (lib/paced-agents.mjs) in a process of their own, driven over stdin:
 * the soak's fleet and the fleet bench's background load. Every agent heartbeats once per
 * `intervalMs`, spread evenly, so `fleet.length` agents make a flat fleet.length / intervalMs load.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Agent, onCleanup, repoRoot } from "./harness";

export interface LoadStats {
  sent: number;
  ok: number;
  byStatus: Record<string, number>;
  socketErrors: number;
  inFlight: number;
  skippedBusy: number;
  answer: { p50Ms: number | null; p99Ms: number | null };
  worstP99Ms: number;
  maxLateMs: number;
  maxSteadyGapMs: number;
  perSec: number;
  at: number;
}

/** Totals the generator counted so far (`at`: its clock); two of them give a rate. */
export interface LoadCount {
  sent: number;
  ok: number;
  at: number;
}

export type PacedAgents = Awaited<ReturnType<typeof startAgents>>;

export async function startAgents(
  url: string,
  fleet: Agent[],
  options: { intervalMs: number; statsEveryMs?: number },
) {
  const dir = mkdtempSync(join(tmpdir(), "molecule-agents-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const fleetFile = join(dir, "fleet.json");
  writeFileSync(fleetFile, JSON.stringify(fleet));
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, "bench", "lib", "paced-agents.mjs")], {
    env: {
      ...process.env,
      URL: url,
      FLEET_FILE: fleetFile,
      INTERVAL_MS: String(options.intervalMs),
      STATS_EVERY_MS: String(options.statsEveryMs ?? 5_000),
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  onCleanup(() => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  const rates: number[] = [];
  const answerP50s: number[] = [];
  let last: LoadStats | null = null;
  const acks = new Map<string, (ack: { at: number; lastOkAt: number }) => void>();
  const counts: ((count: LoadCount) => void)[] = [];
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const parsed = JSON.parse(line);
      if (parsed.ready) resolve();
      else if (parsed.stats) {
        last = parsed.stats;
        rates.push(parsed.stats.perSec);
        if (parsed.stats.answer.p50Ms !== null) answerP50s.push(parsed.stats.answer.p50Ms);
      } else if (parsed.ack === "count") counts.shift()?.(parsed);
      else if (parsed.ack) acks.get(`${parsed.ack}:${parsed.id}`)?.(parsed);
    });
  });
  await ready;
  return {
    command(cmd: "wedge" | "heal" | "silent" | "resume", id: string, error?: string) {
      const acked = new Promise<{ at: number; lastOkAt: number }>((resolve) =>
        acks.set(`${cmd}:${id}`, resolve),
      );
      child.stdin!.write(`${JSON.stringify({ cmd, id, error })}\n`);
      return acked;
    },
    /** The generator's totals now (answered in order, so one outstanding count at a time is fine). */
    count(): Promise<LoadCount> {
      const counted = new Promise<LoadCount>((resolve) => counts.push(resolve));
      child.stdin!.write(`${JSON.stringify({ cmd: "count" })}\n`);
      return counted;
    },
    stats: () => last as LoadStats | null,
    rates,
    answerP50s,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Heartbeats per second between two counts: sent, and answered 200 (what the server ingested). */
export function rateBetween(from: LoadCount, to: LoadCount) {
  const seconds = Math.max(1e-3, (to.at - from.at) / 1000);
  return {
    sentPerSec: Math.round((to.sent - from.sent) / seconds),
    okPerSec: Math.round((to.ok - from.ok) / seconds),
  };
}
