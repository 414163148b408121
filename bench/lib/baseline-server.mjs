#!/usr/bin/env node
// The physical-limit baseline for heartbeat ingest (SPEC §10): a bare node:http + postgres server
// doing the same work as POST /registry/heartbeat, and nothing else. Run in its own process.
//   BASELINE_MODE=single  one statement per request: token check + the same UPDATE
//   BASELINE_MODE=group   the heartbeats of one event-loop turn written by one UPDATE (group commit)
// Env: DATABASE_URL, PORT (0 = any), BASELINE_MODE. Prints "listening <port>" when ready.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL, { max: 10, onnotice: () => {} });
const mode = process.env.BASELINE_MODE ?? "single";
const hash = (token) => createHash("sha256").update(token, "utf8").digest("hex");

const SINGLE = `update workspaces w set last_heartbeat_at = now(), updated_at = now(),
    last_error_rate = $3, active_tasks = $4, uptime_seconds = $5
  from workspace_tokens t
  where w.id = $1 and t.token_hash = $2 and t.revoked_at is null and t.workspace_id = w.id
  returning w.status`;

const GROUP = `update workspaces w set last_heartbeat_at = now(), updated_at = now(),
    last_error_rate = i.error_rate, active_tasks = i.active_tasks, uptime_seconds = i.uptime_seconds
  from json_to_recordset($1::text::json) as i(ord int, id text, token_hash text, error_rate float8, active_tasks int, uptime_seconds int)
  join workspace_tokens t on t.token_hash = i.token_hash and t.revoked_at is null
  where w.id = i.id and t.workspace_id = w.id
  returning i.ord, w.status`;

let pending = [];
let scheduled = false;
let inFlight = 0;
function flush() {
  scheduled = false;
  if (pending.length === 0 || inFlight >= 2) return;
  const batch = pending;
  pending = [];
  inFlight++;
  const input = batch.map((b, ord) => ({ ord, ...b.row }));
  sql
    .unsafe(GROUP, [JSON.stringify(input)], { prepare: true })
    .then((rows) => {
      const byOrd = new Map(rows.map((r) => [r.ord, r.status]));
      for (const [ord, b] of batch.entries()) b.done(byOrd.get(ord));
    })
    .catch((error) => {
      if (process.env.BENCH_VERBOSE) console.error(error);
      for (const b of batch) b.done(undefined);
    })
    .finally(() => {
      inFlight--;
      if (pending.length) flush();
    });
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const answer = (status) => {
      const body = status
        ? JSON.stringify({ status, heartbeat_interval_ms: 10000, directives: [] })
        : '{"error":"no"}';
      res.writeHead(status ? 200 : 401, { "content-type": "application/json" });
      res.end(body);
    };
    let hb;
    try {
      hb = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(undefined);
    }
    const token = (req.headers.authorization ?? "").slice(7);
    const row = {
      id: hb.workspace_id,
      token_hash: hash(token),
      error_rate: hb.error_rate ?? 0,
      active_tasks: hb.active_tasks ?? 0,
      uptime_seconds: hb.uptime_seconds ?? 0,
    };
    if (mode === "group") {
      pending.push({ row, done: answer });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return;
    }
    sql
      .unsafe(SINGLE, [row.id, row.token_hash, row.error_rate, row.active_tasks, row.uptime_seconds], {
        prepare: true,
      })
      .then((rows) => answer(rows[0]?.status))
      .catch(() => answer(undefined));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
