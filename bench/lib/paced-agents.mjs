#!/usr/bin/env node
// Simulated agents, in a process of their own (never the server's event loop): every agent of
// FLEET_FILE ([{id, token}]) POSTs /registry/heartbeat once per INTERVAL_MS, spread evenly over the
// interval, on keep-alive connections (SOCKETS of them). So N agents make a flat N / INTERVAL_MS
// heartbeats per ms: the soak's fleet, and the fleet bench's background load (bench/lib/agents.ts).
//
// Commands arrive on stdin as JSON lines and are acknowledged on stdout:
//   {"cmd":"wedge","id","error"}  its heartbeats say runtime_state "wedged" with that sample_error
//   {"cmd":"heal","id"}           healthy heartbeats again, the next one at once
//   {"cmd":"silent","id"}         it stops heartbeating (a hang, a partition)
//   {"cmd":"resume","id"}         it heartbeats again, the first one at once
//   {"cmd":"count"}               {"ack":"count","sent","ok","at"}: totals so far, for a rate over
//                                 any window (two counts)
// Every STATS_EVERY_MS it prints {"stats": …}: heartbeats sent and answered, non-200 answers by
// status, socket errors, how late the schedule ran, and the longest gap between two answered
// heartbeats of any agent that was never given a command, answer times (p50/p99 this window, worst p99) (a gap near OFFLINE_AFTER_MS means the
// load generator, not the server, starved those agents). Env: URL, FLEET_FILE, INTERVAL_MS, SOCKETS.
import { readFileSync } from "node:fs";
import http from "node:http";
import { createInterface } from "node:readline";

const base = new URL(process.env.URL);
const fleet = JSON.parse(readFileSync(process.env.FLEET_FILE, "utf8"));
const intervalMs = Number(process.env.INTERVAL_MS ?? 5_000);
const statsEveryMs = Number(process.env.STATS_EVERY_MS ?? 5_000);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(process.env.SOCKETS ?? 256) });

const byId = new Map();
const agents = fleet.map((a, i) => {
  const state = {
    ...a,
    auth: `Bearer ${a.token}`,
    mode: "ok",
    error: "",
    commanded: false,
    busy: false,
    lastOkAt: 0,
    started: Date.now(),
    // Spread evenly over one interval, in fleet order, so the rate is flat.
    due: Date.now() + Math.floor((i * intervalMs) / fleet.length),
  };
  byId.set(a.id, state);
  return state;
});

const stats = {
  sent: 0,
  ok: 0,
  byStatus: {},
  socketErrors: 0,
  inFlight: 0,
  /** Beats not sent because the agent's previous one was still unanswered (as a real SDK does). */
  skippedBusy: 0,
  maxLateMs: 0,
  maxSteadyGapMs: 0,
};
let sentThisWindow = 0;
// Answer times of this stats window (request created → response read, including any wait for a
// free socket), and the worst window's p99 so far.
let latencies = [];
let worstP99Ms = 0;

function beat(a) {
  if (a.busy) {
    stats.skippedBusy++;
    return;
  }
  a.busy = true;
  const wedged = a.mode === "wedged";
  const body = JSON.stringify({
    workspace_id: a.id,
    error_rate: 0,
    active_tasks: 1,
    uptime_seconds: Math.floor((Date.now() - a.started) / 1000),
    current_task: "soak",
    runtime_state: wedged ? "wedged" : "",
    sample_error: wedged ? a.error : "",
  });
  stats.sent++;
  sentThisWindow++;
  stats.inFlight++;
  let done = false;
  const sentAt = performance.now();
  const finish = () => {
    if (done) return false;
    done = true;
    stats.inFlight--;
    a.busy = false;
    return true;
  };
  const req = http.request(
    {
      host: base.hostname,
      port: base.port,
      path: "/registry/heartbeat",
      method: "POST",
      agent,
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        authorization: a.auth,
      },
    },
    (res) => {
      res.resume();
      res.on("end", () => {
        if (!finish()) return;
        latencies.push(performance.now() - sentAt);
        if (res.statusCode === 200) {
          stats.ok++;
          const now = Date.now();
          if (!a.commanded && a.lastOkAt)
            stats.maxSteadyGapMs = Math.max(stats.maxSteadyGapMs, now - a.lastOkAt);
          a.lastOkAt = now;
        } else stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
      });
    },
  );
  // An agent gives up on a heartbeat after two intervals, as the SDK's request timeout does.
  req.setTimeout(2 * intervalMs, () => req.destroy(new Error("timeout")));
  req.on("error", () => {
    if (finish()) stats.socketErrors++;
  });
  req.end(body);
}

// The schedule: agents are due in fleet order, cyclically; each tick sends every agent that is
// due (catching up if the tick ran late, which the lateness figure shows).
let cursor = 0;
function tick() {
  const now = Date.now();
  let sentNow = 0;
  while (agents[cursor].due <= now && sentNow < agents.length) {
    const a = agents[cursor];
    stats.maxLateMs = Math.max(stats.maxLateMs, now - a.due);
    a.due += intervalMs;
    if (a.mode !== "silent") beat(a);
    cursor = (cursor + 1) % agents.length;
    sentNow++;
  }
}
setInterval(tick, 5);

createInterface({ input: process.stdin }).on("line", (line) => {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    return;
  }
  if (command.cmd === "count") {
    console.log(JSON.stringify({ ack: "count", sent: stats.sent, ok: stats.ok, at: Date.now() }));
    return;
  }
  const a = byId.get(command.id);
  if (!a) return;
  a.commanded = true;
  if (command.cmd === "wedge") {
    a.mode = "wedged";
    a.error = String(command.error ?? "wedged");
  } else if (command.cmd === "silent") a.mode = "silent";
  else if (command.cmd === "heal" || command.cmd === "resume") {
    a.mode = "ok";
    beat(a);
  }
  console.log(JSON.stringify({ ack: command.cmd, id: a.id, at: Date.now(), lastOkAt: a.lastOkAt }));
});

let windowStart = Date.now();
setInterval(() => {
  const now = Date.now();
  const perSec = Math.round((sentThisWindow * 1000) / (now - windowStart));
  sentThisWindow = 0;
  windowStart = now;
  const sorted = latencies.sort((a, b) => a - b);
  latencies = [];
  const at = (p) =>
    sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]) : null;
  const answer = { p50Ms: at(0.5), p99Ms: at(0.99) };
  worstP99Ms = Math.max(worstP99Ms, answer.p99Ms ?? 0);
  console.log(
    JSON.stringify({
      stats: { ...stats, byStatus: { ...stats.byStatus }, perSec, answer, worstP99Ms, at: now },
    }),
  );
}, statsEveryMs);

console.log(JSON.stringify({ ready: agents.length, intervalMs }));
process.on("SIGTERM", () => process.exit(0));
