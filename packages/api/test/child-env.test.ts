import { describe, expect, it } from "vitest";
import { childEnv } from "../src/services/provisioner/child-env";

const input = {
  base: {
    PATH: "/usr/bin",
    HOME: "/root",
    DATABASE_URL: "postgres://secret",
    ADMIN_TOKEN: "admin",
    SECRETS_ENCRYPTION_KEY: "key",
    NODE_OPTIONS: "--require /tmp/evil.js",
    LD_PRELOAD: "/tmp/evil.so",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    TZ: "UTC",
    TMPDIR: "/tmp",
    USER: "root",
    SHELL: "/bin/bash",
  },
  runtimeEnv: { RUNTIME_FLAG: "1" },
  // Reserved names are refused when set; these stand for rows stored before that rule.
  secrets: { API_KEY: "sk-1", MOLECULE_WORKSPACE_ID: "someone-else", NODE_OPTIONS: "--import=x", HOME: "/" },
  home: "/srv/workspaces/ws-1",
  platformUrl: "http://127.0.0.1:3000",
  workspaceId: "ws-1",
  workspaceName: "Scout",
  token: "tok",
  model: "claude",
  maxConcurrentTasks: 3,
};

describe("the environment of a workspace process (SPEC §7)", () => {
  it("is built from the allow-list only: PATH, LANG, LC_*, TZ, TMPDIR, HOME = the workspace dir", () => {
    const env = childEnv(input);
    const own = ["API_KEY", "RUNTIME_FLAG"];
    expect(
      Object.keys(env)
        .filter((k) => !k.startsWith("MOLECULE_") && !own.includes(k))
        .sort(),
    ).toEqual(["HOME", "LANG", "LC_ALL", "PATH", "TMPDIR", "TZ"]);
    expect(env.HOME).toBe("/srv/workspaces/ws-1");
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env.LD_PRELOAD).toBeUndefined();
  });

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
