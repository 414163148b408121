import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * A Postgres cluster of the test's own (initdb + pg_ctl, data and socket under /tmp, a free port),
 * so a test can restart Postgres without touching the shared server on 5432 that other runs use.
 * Run as root (containers), the server runs as the `postgres` user, which Postgres insists on.
 */
export class PgCluster {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** Where initdb and pg_ctl are: POSTGRES_BIN_DIR, the newest /usr/lib/postgresql/N/bin, or null. */
  static binDir(): string | null {
    const candidates = [process.env.POSTGRES_BIN_DIR ?? ""];
    const root = "/usr/lib/postgresql";
    if (existsSync(root))
      for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a)))
        candidates.push(join(root, version, "bin"));
    return (
      candidates.find((dir) => dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ??
      null
    );
  }

  /** Why a private cluster cannot run here, or null when it can. */
  static unavailable(): string | null {
    if (!PgCluster.binDir())
      return "no initdb/pg_ctl found (install PostgreSQL server binaries or set POSTGRES_BIN_DIR)";
    if (userInfo().uid === 0) {
      try {
        execFileSync("id", ["postgres"], { stdio: "ignore" });
      } catch {
        return "running as root and there is no `postgres` user to run a cluster as";
      }
    }
    return null;
  }

  static async start(): Promise<PgCluster> {
    const bin = PgCluster.binDir();
    if (!bin) throw new Error(PgCluster.unavailable() ?? "no Postgres binaries");
    const dir = mkdtempSync(join(tmpdir(), "molecule-pg-"));
    if (userInfo().uid === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
      chownSync(dir, uid, gid);
    }
    const cluster = new PgCluster(bin, dir, await freePort());
    await cluster.run("initdb", [
      "-D",
      cluster.data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "--no-sync",
      "-E",
      "UTF8",
    ]);
    await cluster.pgCtl("start");
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Stops Postgres (fast: sessions terminated, as on a service restart) and starts it again after
   * `downMs` (the length of the outage: a failover or a slow restart keeps it down a while).
   */
  async restart(downMs = 0): Promise<void> {
    if (downMs <= 0) return this.pgCtl("restart", ["-m", "fast"]);
    await this.run("pg_ctl", ["stop", "-D", this.data, "-m", "fast", "-w"]);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.pgCtl("start");
  }

  async stop(): Promise<void> {
    try {
      await this.run("pg_ctl", ["stop", "-D", this.data, "-m", "immediate", "-w"]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private get data(): string {
    return join(this.dir, "data");
  }

  private pgCtl(action: "start" | "restart", extra: string[] = []): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      "-c listen_addresses=127.0.0.1",
      // A throwaway cluster: durability is not what these tests measure.
      "-c fsync=off",
      "-c full_page_writes=off",
    ].join(" ");
    return this.run("pg_ctl", [
      action,
      ...extra,
      "-D",
      this.data,
      "-l",
      join(this.dir, "log"),
      "-w",
      "-o",
      options,
    ]);
  }

  /**
   * Runs one of the cluster binaries (as `postgres` when we are root), without blocking the event
   * loop: the server under test lives in this process and must keep serving meanwhile.
   */
  private async run(tool: string, args: string[]): Promise<void> {
    const command = join(this.bin, tool);
    if (userInfo().uid !== 0) {
      await execFileAsync(command, args);
      return;
    }
    const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    await execFileAsync("su", ["postgres", "-c", quoted]);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        address && typeof address !== "string" ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
