import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, sql } from "@molecule/db";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { createCaller } from "../src/root";
import { assertSafeBinding, platformUrlFor, type RunningServer, startServer } from "../src/server";
import { type LocalProvisioner, PROVISIONER_LEASE_KEY } from "../src/services/provisioner";
import { createContext } from "../src/trpc";
import {
  alive,
  createWorkspace,
  eventTypes,
  heartbeat,
  ON_POSTGRES,
  rowOf,
  startTestServer,
  waitFor,
} from "./helpers";

const pidIn = (server: RunningServer, id: string) =>
  (server.services.processes as LocalProvisioner | null)?.pid(id) ?? null;

describe("startServer wiring", () => {
  it("runs its own liveness sweeper: a silent workspace goes offline with no test driving the sweep", async () => {
    const ts = await startTestServer({ offlineAfterMs: 300, sweepIntervalMs: 50 }, { sweeper: true });
    try {
      expect(ts.server.services.liveness).not.toBeNull();
      const ws = await createWorkspace(ts, { external: true });
      expect((await heartbeat(ts, ws)).data.status).toBe("online");
      await waitFor(async () => (await rowOf(ts.db.handle.db, ws.id)).status === "offline", {
        what: "the server's sweeper to mark the workspace offline",
        timeoutMs: 20_000,
      });
      expect(await eventTypes(ts.db.handle.db, ws.id)).toEqual([
        "WORKSPACE_CREATED",
        "WORKSPACE_ONLINE",
        "WORKSPACE_OFFLINE",
      ]);
      // A heartbeat brings it back (and is witnessed by the same sweeper while in flight).
      expect((await heartbeat(ts, ws)).data.status).toBe("online");
    } finally {
      await ts.close();
    }
  });

  it("runs agent processes in one instance per database; a standby takes over when it stops", async () => {
    const dir = mkdtempSync(join(tmpdir(), "molecule-lease-"));
    const runtimesFile = join(dir, "runtimes.json");
    // An agent that never registers: this test is about who runs the process, not about the agent.
    writeFileSync(
      runtimesFile,
      JSON.stringify({ idle: { command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] } }),
    );
    const a = await startTestServer({ provisioner: "local", runtimesFile }, { provisionerLeaseMs: 100 });
    const pids: number[] = [];
    try {
      expect(a.server.services.processes, "the first instance holds the lease").not.toBeNull();
      if (!ON_POSTGRES) return; // PGlite: one process per database, nobody else to ask
      const handle = await createDb(a.db.url!);
      const b = await startServer(a.config, { handle, sweeper: false, provisionerLeaseMs: 100 });
      try {
        expect(b.services.processes, "the second instance stands by").toBeNull();

        // Created on the standby, run by the holder.
        const onB = createCaller(createContext(b.services, null, true));
        const { workspace } = await onB.workspace.create({ name: "idle", runtime: "idle" });
        const first = await waitFor(async () => pidIn(a.server, workspace.id), { what: "a process on A" });
        pids.push(first);

        // The holder stops: its processes stop, the standby takes over and starts them again.
        await a.server.stop();
        expect(alive(first)).toBe(false);
        const second = await waitFor(async () => pidIn(b, workspace.id), {
          what: "the standby to take over and start the process",
        });
        pids.push(second);
        expect(second).not.toBe(first);

        // The holder's lease connection dies (Postgres frees its lock): it notices, stops its
        // processes, and (being the only instance left) takes the lease again and restarts them.
        await handle.db.execute(
          sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = ${PROVISIONER_LEASE_KEY}`,
        );
        const third = await waitFor(
          async () => {
            const pid = pidIn(b, workspace.id);
            return pid !== null && pid !== second ? pid : null;
          },
          { what: "a new process after the lease was lost and taken again" },
        );
        pids.push(third);
        expect(alive(second)).toBe(false);
      } finally {
        await b.stop();
        await handle.close();
      }
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a non-loopback address without ADMIN_TOKEN, saying why", () => {
    const config = loadConfig({ HOST: "0.0.0.0" });
    expect(() => assertSafeBinding(config)).toThrow(/without ADMIN_TOKEN/);
    expect(() => assertSafeBinding({ ...config, adminToken: "a-long-secret" })).not.toThrow();
    expect(() => assertSafeBinding(loadConfig({ HOST: "127.0.0.1" }))).not.toThrow();
  });

  it("tells local agents a URL they can reach", () => {
    expect(platformUrlFor(loadConfig({ HOST: "0.0.0.0", PORT: "3000" }))).toBe("http://127.0.0.1:3000");
    expect(platformUrlFor(loadConfig({ HOST: "::1", PORT: "4000" }))).toBe("http://[::1]:4000");
    expect(platformUrlFor(loadConfig({ MOLECULE_PLATFORM_URL: "http://agents.internal:8080" }))).toBe(
      "http://agents.internal:8080",
    );
  });

  it("rejects a bad environment with the variable named", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ MOLECULE_PROVISIONER: "docker" })).toThrow(/MOLECULE_PROVISIONER/);
  });
});
