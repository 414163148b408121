import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Which agent processes this host's provisioner started, kept on disk so a server that was killed
 * (kill -9, OOM, power to the process cut) leaves a trace of its children. Agents lead their own
 * process group (spawned detached, so stop kills their whole family), which also means they
 * outlive a server that dies without running its exit handlers. The next provisioner on this data
 * directory stops them before it starts fresh ones: never two processes for one workspace.
 *
 * One file per workspace, `<data dir>/agent-processes/<workspace id>.json`, in the owner-only
 * data directory (an agent must not be able to plant a record naming a process to kill). A record
 * holds the PID and the process's start time (/proc/<pid>/stat field 22), so a PID the kernel has
 * since given to another process is never mistaken for the agent.
 */
export interface ProcessRecord {
  workspaceId: string;
  pid: number;
  /** Clock ticks after boot when the process started (/proc/<pid>/stat field 22). */
  startTime: string;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

export class ProcessRecords {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "agent-processes");
  }

  /**
   * Records a process just started. Nothing on a system without /proc (it could not be verified
   * later). Throws when the file cannot be written (the caller logs it: the agent runs anyway).
   */
  add(workspaceId: string, pid: number): void {
    const startTime = processStartTime(pid);
    if (!startTime || !ID.test(workspaceId)) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(workspaceId);
    const record: ProcessRecord = { workspaceId, pid, startTime };
    // Written aside and renamed: a server killed mid-write leaves the old record or the new one.
    writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /** Forgets the workspace's process `pid` (it exited); a newer process's record is kept. */
  remove(workspaceId: string, pid: number): void {
    const record = this.read(workspaceId);
    if (record?.pid === pid) rmSync(this.file(workspaceId), { force: true });
  }

  /** Every readable record. */
  list(): ProcessRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((name) => name.endsWith(".json"))
      .flatMap((name) => {
        const record = this.read(name.slice(0, -".json".length));
        return record ? [record] : [];
      });
  }

  private read(workspaceId: string): ProcessRecord | null {
    if (!ID.test(workspaceId)) return null;
    try {
      const parsed = JSON.parse(readFileSync(this.file(workspaceId), "utf8")) as Partial<ProcessRecord>;
      if (
        parsed.workspaceId === workspaceId &&
        Number.isInteger(parsed.pid) &&
        (parsed.pid ?? 0) > 1 &&
        typeof parsed.startTime === "string"
      )
        return parsed as ProcessRecord;
    } catch {
      // missing or torn: nothing to act on
    }
    return null;
  }

  private file(workspaceId: string): string {
    return join(this.dir, `${workspaceId}.json`);
  }
}

/**
 * /proc/<pid>/stat field 22 (start time in clock ticks after boot), or null when there is no such
 * process, it is a zombie (dead, only waiting to be reaped), or there is no /proc.
 */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Field 2 (the command name) is in parentheses and may itself hold spaces and ")": the fields
  // after the last ")" start at field 3 (the state).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  return fields[22 - 3] ?? null;
}

/** Whether the recorded process still runs: same PID and same start time. */
export function stillRunning(record: ProcessRecord): boolean {
  return processStartTime(record.pid) === record.startTime;
}

/**
 * Stops a recorded process that outlived its server: SIGTERM to its process group, SIGKILL after
 * `graceMs`. Resolves once it is gone. A record whose PID now belongs to another process (or none)
 * is left alone. Returns whether a process was stopped.
 */
export async function stopRecorded(record: ProcessRecord, graceMs: number): Promise<boolean> {
  if (!stillRunning(record)) return false;
  signalGroup(record.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (stillRunning(record) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (stillRunning(record)) {
    signalGroup(record.pid, "SIGKILL");
    const killDeadline = Date.now() + 5_000;
    while (stillRunning(record) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** Signals the process group `pid` leads (an agent and whatever it started), else the process alone. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
