import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";

/** The unprivileged account local agent processes run as when the server runs as root (SPEC §7 [r2]). */
export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
}

/** Whether this process runs as root (agents must not: they would read everything the server can). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Looks up MOLECULE_AGENT_USER (a name from /etc/passwd, or a numeric uid) for spawning agents with
 * its uid/gid. Only when the server is root: any other server cannot switch users, and its agents
 * run as itself (the README says so: trusted code). A name that does not exist is a start error.
 */
export function resolveAgentUser(name: string, passwd = "/etc/passwd"): AgentUser | null {
  if (!runningAsRoot()) return null;
  const lines = existsSync(passwd) ? readFileSync(passwd, "utf8").split("\n") : [];
  for (const line of lines) {
    const [user, , uid, gid] = line.split(":");
    if (user && uid && gid && (user === name || uid === name))
      return { name: user, uid: Number(uid), gid: Number(gid) };
  }
  if (/^\d+$/.test(name)) return { name, uid: Number(name), gid: Number(name) };
  throw new Error(
    `MOLECULE_AGENT_USER=${name}: no such user. Local agents run as this unprivileged user when the server runs as root.`,
  );
}

/**
 * The data directory holds the database, the secrets key and the admin token: owner only (0700),
 * so an agent running as another user cannot list or read it.
 */
export function protectDataDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * A workspace's own directory (cwd and HOME of its process). Under an agent user it is that user's
 * (0700), inside a root that others may pass through but not list (0711).
 */
export function prepareWorkspaceDir(root: string, dir: string, user: AgentUser | null) {
  mkdirSync(root, { recursive: true, mode: user ? 0o711 : 0o700 });
  if (user) chmodSync(root, 0o711);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dir, user.uid, user.gid);
}

/**
 * A copy of a self-contained runtime script that the agent user can read, under the workspaces
 * root (which it can pass through): the checkout itself may sit where only root can enter. ESM, so
 * the copy is `.mjs` (no package.json beside it says "type": "module"). Refreshed when the source
 * is newer.
 */
export function readableCopy(file: string, root: string): string {
  const dir = join(root, ".runtimes");
  mkdirSync(root, { recursive: true, mode: 0o711 });
  chmodSync(root, 0o711);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const copy = join(dir, `${basename(file).replace(/\.[cm]?js$/, "")}.mjs`);
  if (!existsSync(copy) || statSync(copy).mtimeMs < statSync(file).mtimeMs) copyFileSync(file, copy);
  chmodSync(copy, 0o644);
  return copy;
}
