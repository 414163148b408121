import { describe, expect, it } from "vitest";
import { guardRequest } from "../src/services/request-guard";

const config = { allowedHosts: ["molecule.example.com", "box.lan:8443"] };
const guard = (method: string, url: string, headers: Record<string, string>) =>
  guardRequest(config, { method, url, headers: new Headers(headers) });

describe("guardRequest: Host allow-list (DNS rebinding, SPEC §4 [r2])", () => {
  it.each([
    "127.0.0.1:3000",
    "127.1.2.3",
    "localhost:3000",
    "LOCALHOST",
    "localhost.:3000",
    "[::1]:3000",
    "molecule.example.com",
    "molecule.example.com:443",
    "box.lan:8443",
  ])("serves Host %s", (host) => {
    expect(guard("GET", "/api/trpc/workspace.list", { host })).toBeNull();
  });

  it.each([
    "attacker.example:3000",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example",
    "box.lan:3000",
    "evil.molecule.example.com",
    "user@127.0.0.1",
    "127.0.0.1/x",
    "",
  ])("refuses Host %j with 421", (host) => {
    expect(guard("GET", "/api/trpc/workspace.list", { host })?.status).toBe(421);
  });

  it("refuses a request without a Host header", () => {
    expect(guard("POST", "/registry/heartbeat", {})?.status).toBe(421);
  });

  it("keeps /api/health open, whatever the Host (no data; probes come by IP)", () => {
    expect(guard("GET", "/api/health", { host: "10.0.0.5:3000" })).toBeNull();
    expect(guard("GET", "http://attacker.example/api/health", { host: "attacker.example" })).toBeNull();
  });
});

describe("guardRequest: Origin on writes and subscriptions", () => {
  const host = "127.0.0.1:3000";
  it("lets a write from its own origin, or without an Origin (scripts, agents), through", () => {
    expect(guard("POST", "/api/trpc/workspace.create", { host, origin: "http://127.0.0.1:3000" })).toBeNull();
    expect(guard("POST", "/api/trpc/workspace.create", { host })).toBeNull();
    expect(
      guard("POST", "/api/trpc/workspace.create", {
        host: "molecule.example.com",
        origin: "https://molecule.example.com",
      }),
    ).toBeNull();
  });

  it.each([
    "http://attacker.example",
    "http://localhost:8080", // same site as localhost:3000, another origin
    "http://127.0.0.1:3001",
    "null",
    "not a url",
  ])("refuses a write from %s with 403", (origin) => {
    expect(guard("POST", "/api/trpc/workspace.create", { host, origin })?.status).toBe(403);
    expect(guard("DELETE", "/api/session", { host, origin })?.status).toBe(403);
  });

  it("an allowed host's origin may write through a proxy that rewrites Host to loopback", () => {
    expect(
      guard("POST", "/api/trpc/workspace.create", { host, origin: "https://molecule.example.com" }),
    ).toBeNull();
  });

  it("guards the event subscription like a write; other reads need no Origin check", () => {
    const origin = "http://attacker.example";
    const sub = "/api/trpc/events.onEvent?input=%7B%7D";
    expect(guard("GET", sub, { host, origin })?.status).toBe(403);
    expect(guard("GET", sub, { host, origin: "http://127.0.0.1:3000" })).toBeNull();
    expect(guard("GET", "/api/trpc/workspace.list", { host, origin })).toBeNull();
  });
});
