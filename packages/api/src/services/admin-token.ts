import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "@molecule/db";
import { ADMIN_TOKEN_MIN_LENGTH, type ServerConfig } from "../config";
import { isLoopbackHost } from "./operator-auth";

/** The file in the data directory that keeps a generated admin token between starts. */
export const ADMIN_TOKEN_FILE = "admin-token";

export interface AdminTokenOptions {
  /** Where the generated token is kept (default: the data directory, MOLECULE_DATA_DIR or .data/). */
  dir?: string;
  /** Where the sign-in link (and a warning about the token file) is printed (default: stdout). */
  log?: (line: string) => void;
}

/** How the operator's browser reaches this server (a wildcard bind is reached on loopback). */
export function signInUrl(config: Pick<ServerConfig, "host" | "port">, token?: string): string {
  const host = ["0.0.0.0", "::", "[::]", ""].includes(config.host) ? "127.0.0.1" : config.host;
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  // A fragment: browsers never send it, so the token stays out of every request line and access log.
  return `http://${shown}:${config.port}/sign-in${token ? `#token=${token}` : ""}`;
}

function tooShort(token: string, where: string): Error {
  return new Error(
    `${where} is ${token.length} characters; the admin token must be at least ${ADMIN_TOKEN_MIN_LENGTH} ` +
      "(try: openssl rand -base64 32).",
  );
}

/** Reads the kept token, or writes a new one with mode 0600 (exclusive create: two starts agree). */
function keptToken(dir: string, log: (line: string) => void): { token: string; created: boolean } {
  const file = join(dir, ADMIN_TOKEN_FILE);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600); // in case the umask or the filesystem widened it
    return { token: readFileSync(file, "utf8").trim(), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // Someone else may have been able to read a widened file: narrow it, and say so.
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    log(`[molecule] ${file} was readable by other users; it is now 0600. Consider deleting it.`);
  }
  const token = readFileSync(file, "utf8").trim();
  if (token.length < ADMIN_TOKEN_MIN_LENGTH)
    throw tooShort(token, `${file} (delete it to generate a new one)`);
  return { token, created: false };
}

/**
 * Operator auth is always on (SPEC §4 [r2]): returns the config with its admin token. ADMIN_TOKEN
 * from the environment wins; without it a token is generated at the first start, kept in the data
 * directory (mode 0600) and reused, and the sign-in link is printed. A non-loopback HOST needs
 * ADMIN_TOKEN set explicitly: a token in a file on one machine is no plan for a shared server.
 */
export function ensureAdminToken(config: ServerConfig, options: AdminTokenOptions = {}): ServerConfig {
  const log = options.log ?? ((line: string) => console.log(line));
  if (config.adminToken) {
    // loadConfig checks this too; configs built in code (tests, tools) must not slip past it.
    if (config.adminToken.length < ADMIN_TOKEN_MIN_LENGTH) throw tooShort(config.adminToken, "ADMIN_TOKEN");
    log(`[molecule] sign in at ${signInUrl(config)} with ADMIN_TOKEN`);
    return config;
  }
  if (!isLoopbackHost(config.host)) {
    throw new Error(
      `Refusing to listen on ${config.host} without ADMIN_TOKEN: anyone who can reach it could control every agent. ` +
        `Set ADMIN_TOKEN to a long random secret (at least ${ADMIN_TOKEN_MIN_LENGTH} characters), or use HOST=127.0.0.1.`,
    );
  }
  const dir = options.dir ?? dataDir();
  const { token, created } = keptToken(dir, log);
  log(
    `[molecule] ${created ? "generated an admin token" : "using the admin token"} in ${join(dir, ADMIN_TOKEN_FILE)}; ` +
      `open this link to sign in:\n\n    ${signInUrl(config, token)}\n`,
  );
  return { ...config, adminToken: token };
}
