import { isReservedSecretName } from "@molecule/contracts";

/**
 * The environment of a workspace process (SPEC §7 [r2]), built from an allow-list: nothing else of
 * the server's environment reaches it. The server's holds DATABASE_URL, ADMIN_TOKEN and
 * SECRETS_ENCRYPTION_KEY (no agent may see them), and NODE_OPTIONS-like variables would change what
 * the agent runs. An agent gets the locale and PATH, HOME = its workspace directory, its runtime's
 * env (the operator's runtimes file), its own decrypted secrets, and the MOLECULE_* values.
 */
const PASS_THROUGH = ["PATH", "LANG", "TZ", "TMPDIR"];
const PASS_THROUGH_PREFIXES = ["LC_"];

export function passesThrough(key: string): boolean {
  return PASS_THROUGH.includes(key) || PASS_THROUGH_PREFIXES.some((prefix) => key.startsWith(prefix));
}

export interface ChildEnvInput {
  base: NodeJS.ProcessEnv;
  runtimeEnv?: Record<string, string>;
  secrets: Record<string, string>;
  /** The workspace directory: the process's HOME. */
  home: string;
  platformUrl: string;
  workspaceId: string;
  workspaceName: string;
  token: string;
  model: string;
  maxConcurrentTasks: number;
}

export function childEnv(input: ChildEnvInput): NodeJS.ProcessEnv {
  // A plain record: Next's types make NODE_ENV required on NodeJS.ProcessEnv.
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(input.base))
    if (value !== undefined && passesThrough(key)) env[key] = value;
  Object.assign(env, input.runtimeEnv ?? {});
  // Reserved names are refused when a secret is set; one stored before that rule must not slip in.
  for (const [key, value] of Object.entries(input.secrets)) if (!isReservedSecretName(key)) env[key] = value;
  // Last, so nothing can move HOME, impersonate another workspace or point the agent elsewhere.
  env.HOME = input.home;
  env.MOLECULE_PLATFORM_URL = input.platformUrl;
  env.MOLECULE_WORKSPACE_ID = input.workspaceId;
  env.MOLECULE_WORKSPACE_TOKEN = input.token;
  env.MOLECULE_WORKSPACE_NAME = input.workspaceName;
  env.MOLECULE_MODEL = input.model;
  // The operator's limit, so a runtime never reports more active tasks than the workspace allows.
  env.MOLECULE_MAX_CONCURRENT_TASKS = String(input.maxConcurrentTasks);
  return env as NodeJS.ProcessEnv;
}
