import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { assertSafeBinding, platformUrlFor } from "../src/server";
import { createWorkspace, eventTypes, heartbeat, rowOf, startTestServer, waitFor } from "./helpers";

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
