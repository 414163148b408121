/**
 * The environment of a workspace process. Deliberately NOT the server's environment: that holds
 * DATABASE_URL, ADMIN_TOKEN and SECRETS_ENCRYPTION_KEY, which no agent may see. An agent gets the
 * basics a process needs, its runtime's env, its own decrypted secrets, and the MOLECULE_* values.
 */
const PASS_THROUGH = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "TEMP",
  "TMP",
  "TERM",
  "NODE_EXTRA_CA_CERTS",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
];

export interface ChildEnvInput {
  base: NodeJS.ProcessEnv;
  runtimeEnv?: Record<string, string>;
  secrets: Record<string, string>;
  platformUrl: string;
  workspaceId: string;
  workspaceName: string;
  token: string;
  model: string;
  maxConcurrentTasks: number;
}

export function childEnv(input: ChildEnvInput): NodeJS.ProcessEnv {
  // A plain record: Next's types make NODE_ENV required on NodeJS.ProcessEnv, and a child only
  // gets NODE_ENV when it passes through.
  const env: Record<string, string | undefined> = {};
  for (const key of PASS_THROUGH) if (input.base[key] !== undefined) env[key] = input.base[key];
  Object.assign(env, input.runtimeEnv ?? {}, input.secrets);
  // Last, so a secret can never impersonate another workspace or point the agent elsewhere.
  env.MOLECULE_PLATFORM_URL = input.platformUrl;
  env.MOLECULE_WORKSPACE_ID = input.workspaceId;
  env.MOLECULE_WORKSPACE_TOKEN = input.token;
  env.MOLECULE_WORKSPACE_NAME = input.workspaceName;
  env.MOLECULE_MODEL = input.model;
  // The operator's limit, so a runtime never reports more active tasks than the workspace allows.
  env.MOLECULE_MAX_CONCURRENT_TASKS = String(input.maxConcurrentTasks);
  return env as NodeJS.ProcessEnv;
}
