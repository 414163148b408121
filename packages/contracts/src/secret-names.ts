/**
 * Secret names a workspace may not have (SPEC §5 [r2]). Secrets become the environment of the
 * workspace's process, so a secret named NODE_OPTIONS or LD_PRELOAD would decide what code runs
 * at its start (`NODE_OPTIONS=--import=data:…`), and a MOLECULE_* one could pose as the platform's
 * own values. One rule, used by workspace.create and secret.set alike.
 */
export const SECRET_KEY_PATTERN = /^[A-Z_][A-Z0-9_]{0,127}$/;

export const RESERVED_SECRET_NAMES = [
  "NODE_OPTIONS",
  "NODE_PATH",
  "PATH",
  "HOME",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "BASH_ENV",
  "ENV",
  "PERL5OPT",
  "RUBYOPT",
  "JAVA_TOOL_OPTIONS",
] as const;
export const RESERVED_SECRET_PREFIXES = ["LD_", "DYLD_", "MOLECULE_"] as const;

const RESERVED_LIST = [...RESERVED_SECRET_NAMES, ...RESERVED_SECRET_PREFIXES.map((p) => `${p}*`)].join(", ");

export function isReservedSecretName(key: string): boolean {
  return (
    (RESERVED_SECRET_NAMES as readonly string[]).includes(key) ||
    RESERVED_SECRET_PREFIXES.some((prefix) => key.startsWith(prefix))
  );
}

/** Why `key` cannot name a secret, or null when it can. */
export function secretKeyProblem(key: string): string | null {
  if (!SECRET_KEY_PATTERN.test(key)) return "must be UPPER_SNAKE_CASE (A–Z, 0–9, _), at most 128 characters";
  if (isReservedSecretName(key))
    return `${key} is reserved: names that change how a runtime starts cannot be secrets (${RESERVED_LIST})`;
  return null;
}
