/**
 * A platform that accepts connections and never answers (a hung proxy, a stopped process behind a
 * live socket): every call fails with a timeout PlatformError instead of waiting for ever, and the
 * heartbeat loop goes on to its next beat.
 */
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../api/src/testing";
import { Agent, createAgentFromEnv, createPlatformClient, PlatformError } from "../src/index";

const TIMEOUT_MS = 300;
const quiet = { info() {}, warn() {}, error() {} };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listening<T extends Server | HttpServer>(server: T): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** A TCP server that accepts every connection and never sends a byte. */
async function silentServer() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  const url = await listening(server);
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url, sockets };
}

/** Fails the test if `promise` is still pending after `ms` (instead of hanging until the test's timeout). */
function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`still waiting after ${ms} ms: the call has no timeout`)),
        ms,
      ).unref(),
    ),
  ]);
}

describe("requests to a platform that never answers", () => {
  it("client.heartbeat rejects with a timeout PlatformError (status null)", async () => {
    const silent = await silentServer();
    const client = createPlatformClient(silent.url, () => "token", fetch, { timeoutMs: TIMEOUT_MS });
    const error = await settlesWithin(
      client.heartbeat({ workspaceId: "ws" }).then(
        () => null,
        (e: unknown) => e,
      ),
      TIMEOUT_MS * 10,
    );
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).status).toBeNull();
    expect((error as PlatformError).message).toMatch(
      /\/registry\/heartbeat: no answer within 300 ms \(timed out\)/,
    );
  });

  it("MOLECULE_REQUEST_TIMEOUT_MS bounds the calls of an agent made from the environment", async () => {
    const silent = await silentServer();
    const agent = createAgentFromEnv(
      { logger: quiet },
      {
        MOLECULE_PLATFORM_URL: silent.url,
        MOLECULE_WORKSPACE_ID: "ws",
        MOLECULE_WORKSPACE_TOKEN: "token",
        MOLECULE_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      },
    );
    cleanups.push(() => agent.stop());
    const error = await settlesWithin(
      agent.register().then(
        () => null,
        (e: unknown) => e,
      ),
      TIMEOUT_MS * 10,
    );
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).message).toMatch(/timed out/);
    expect(() =>
      createAgentFromEnv(
        {},
        {
          ...{ MOLECULE_PLATFORM_URL: silent.url, MOLECULE_WORKSPACE_ID: "ws" },
          MOLECULE_WORKSPACE_TOKEN: "t",
          MOLECULE_REQUEST_TIMEOUT_MS: "soon",
        },
      ),
    ).toThrow(/MOLECULE_REQUEST_TIMEOUT_MS must be a positive number/);
  });

  it("the heartbeat loop does not stall: after a heartbeat that timed out, a later one is sent", async () => {
    // Register is answered; heartbeats are held open for ever.
    const heartbeats: IncomingMessage[] = [];
    const server = createHttpServer((req, res) => {
      if (req.url === "/registry/register") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "online", heartbeat_interval_ms: 50 }));
      } else heartbeats.push(req);
    });
    const url = await listening(server);
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const agent = new Agent({
      platformUrl: url,
      workspaceId: "ws",
      tokenSource: () => "token",
      logger: quiet,
      requestTimeoutMs: TIMEOUT_MS,
      backoffBaseMs: 20,
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    await waitFor(async () => heartbeats.length >= 2, {
      what: "a second heartbeat after the first one timed out",
      timeoutMs: 5_000,
    });
    // The first was given up on (its connection closed by the client), not left hanging beside the second.
    expect(heartbeats[0]?.socket.destroyed || heartbeats[0]?.destroyed).toBe(true);
  });
});
