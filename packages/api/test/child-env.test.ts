import { describe, expect, it } from "vitest";
import { childEnv } from "../src/services/provisioner/child-env";

const input = {
  base: {
    PATH: "/usr/bin",
    HOME: "/root",
    DATABASE_URL: "postgres://secret",
    ADMIN_TOKEN: "admin",
    SECRETS_ENCRYPTION_KEY: "key",
  },
  runtimeEnv: { RUNTIME_FLAG: "1" },
  secrets: { API_KEY: "sk-1", MOLECULE_WORKSPACE_ID: "someone-else" },
  platformUrl: "http://127.0.0.1:3000",
  workspaceId: "ws-1",
  workspaceName: "Scout",
  token: "tok",
  model: "claude",
  maxConcurrentTasks: 3,
};

describe("the environment of a workspace process (SPEC §7)", () => {
  it("never carries the server's own secrets", () => {
    const env = childEnv(input);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ADMIN_TOKEN).toBeUndefined();
    expect(env.SECRETS_ENCRYPTION_KEY).toBeUndefined();
    expect(env.PATH).toBe("/usr/bin");
  });

  it("carries its own secrets, its runtime's env and the MOLECULE_* values, which a secret cannot override", () => {
    const env = childEnv(input);
    expect(env).toMatchObject({
      API_KEY: "sk-1",
      RUNTIME_FLAG: "1",
      MOLECULE_PLATFORM_URL: "http://127.0.0.1:3000",
      MOLECULE_WORKSPACE_ID: "ws-1",
      MOLECULE_WORKSPACE_TOKEN: "tok",
      MOLECULE_MODEL: "claude",
      MOLECULE_MAX_CONCURRENT_TASKS: "3",
    });
  });
});
