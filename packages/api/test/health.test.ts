/**
 * GET /api/health over real HTTP (SPEC §9): 200 while the database answers, 503 while it does not,
 * 200 again once it is back. On Postgres the database is made unreachable for real: every
 * connection to it is terminated and new ones are refused (ALLOW_CONNECTIONS false), exactly what
 * a server sees when its database goes away. On PGlite the embedded database is closed.
 */
import { createDb } from "@molecule/db";
import { afterAll, describe, expect, it } from "vitest";
import { ON_POSTGRES, startTestServer, type TestServer, waitFor } from "./helpers";

async function health(ts: TestServer) {
  const res = await fetch(`${ts.url}/api/health`);
  return {
    status: res.status,
    body: (await res.json()) as { ok: boolean; database: string; version: string },
  };
}

describe("/api/health", () => {
  let ts: TestServer | undefined;
  afterAll(async () => {
    await ts?.close().catch(() => {}); // PGlite: already closed by the test
  });

  it.runIf(ON_POSTGRES)("503 while Postgres refuses connections, 200 again when it is back", async () => {
    ts = await startTestServer();
    const name = new URL(ts.db.url!).pathname.slice(1);
    // A connection to the server's maintenance database, where these statements are run from.
    const admin = await createDb(process.env.DATABASE_URL);
    try {
      expect(await health(ts)).toMatchObject({ status: 200, body: { ok: true, database: "postgres" } });

      await admin.execScript(`
        alter database "${name}" allow_connections false;
        select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}';`);
      const down = await waitFor(
        async () => {
          const h = await health(ts!);
          return h.status === 503 ? h : null;
        },
        { what: "health to report the database down" },
      );
      expect(down.body).toMatchObject({ ok: false, database: "postgres" });
      // Still down on the next call: a refused connection is not retried into a 200.
      expect((await health(ts)).status).toBe(503);

      await admin.execScript(`alter database "${name}" allow_connections true`);
      const up = await waitFor(
        async () => {
          const h = await health(ts!);
          return h.status === 200 ? h : null;
        },
        { what: "health to report the database back", timeoutMs: 20_000 },
      );
      expect(up.body).toMatchObject({ ok: true, database: "postgres" });
    } finally {
      await admin.execScript(`alter database "${name}" allow_connections true`).catch(() => {});
      await admin.close();
    }
  });

  it.runIf(!ON_POSTGRES)("503 once the embedded database is closed", async () => {
    ts = await startTestServer();
    expect(await health(ts)).toMatchObject({ status: 200, body: { ok: true, database: "pglite" } });
    await ts.db.handle.close();
    expect(await health(ts)).toMatchObject({ status: 503, body: { ok: false, database: "pglite" } });
  });
});
