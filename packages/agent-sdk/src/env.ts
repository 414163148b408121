import { readFile } from "node:fs/promises";
import { Agent, type AgentOptions } from "./agent";

/**
 * The environment the platform gives a workspace process (SPEC §7), read in one place:
 * MOLECULE_PLATFORM_URL, MOLECULE_WORKSPACE_ID, MOLECULE_WORKSPACE_TOKEN, MOLECULE_MODEL.
 * MOLECULE_WORKSPACE_TOKEN_FILE (optional, for external agents) names a file holding the token:
 * it is read again after a 401, so rotating the token is "write the file".
 * MOLECULE_REQUEST_TIMEOUT_MS (optional) bounds each call to the platform (default 10,000).
 */
export function createAgentFromEnv(
  options: Partial<AgentOptions> = {},
  env: Record<string, string | undefined> = process.env,
): Agent {
  const platformUrl = options.platformUrl ?? env.MOLECULE_PLATFORM_URL;
  const workspaceId = options.workspaceId ?? env.MOLECULE_WORKSPACE_ID;
  const missing = [!platformUrl && "MOLECULE_PLATFORM_URL", !workspaceId && "MOLECULE_WORKSPACE_ID"].filter(
    Boolean,
  );
  if (!options.tokenSource && !env.MOLECULE_WORKSPACE_TOKEN && !env.MOLECULE_WORKSPACE_TOKEN_FILE) {
    missing.push("MOLECULE_WORKSPACE_TOKEN");
  }
  if (missing.length) throw new Error(`Missing environment for the agent: ${missing.join(", ")}.`);
  return new Agent({
    ...options,
    platformUrl: platformUrl!,
    workspaceId: workspaceId!,
    model: options.model ?? env.MOLECULE_MODEL ?? "",
    tokenSource: options.tokenSource ?? envTokenSource(env),
    requestTimeoutMs: options.requestTimeoutMs ?? requestTimeoutFrom(env.MOLECULE_REQUEST_TIMEOUT_MS),
  });
}

/** MOLECULE_REQUEST_TIMEOUT_MS: unset → the default; anything but a positive number is an error. */
function requestTimeoutFrom(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(`MOLECULE_REQUEST_TIMEOUT_MS must be a positive number of milliseconds, not "${value}".`);
  return ms;
}

/** Reads the token file when one is named, else the environment variable (at call time). */
export function envTokenSource(
  env: Record<string, string | undefined> = process.env,
): () => Promise<string | undefined> {
  return async () => {
    const file = env.MOLECULE_WORKSPACE_TOKEN_FILE;
    if (file) return (await readFile(file, "utf8")).trim();
    return env.MOLECULE_WORKSPACE_TOKEN;
  };
}
