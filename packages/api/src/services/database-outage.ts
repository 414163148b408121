import { isDatabaseUnavailable } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import type { Logger } from "./logger";
import { RetryLater } from "./retry-after";

/** What a client hears while the database is unreachable (503), and how long it should wait. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is not reachable; retry shortly.";
export const DATABASE_RETRY_AFTER_SECONDS = 2;
/** The header every 503 for an unreachable database carries (health included). */
export const DATABASE_RETRY_AFTER_HEADER = { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } as const;

/** The cause of a 503: the driver's error stays underneath (for the outage log), never sent out. */
export class DatabaseUnavailable extends RetryLater {
  constructor(cause: unknown) {
    super(DATABASE_UNAVAILABLE_MESSAGE, DATABASE_RETRY_AFTER_SECONDS, { cause });
  }
}

/**
 * SERVICE_UNAVAILABLE (503) for an error that means the database cannot be reached, else null.
 * Only an unexpected failure is reclassified (a thrown driver error, or tRPC's INTERNAL_SERVER_ERROR
 * around one): a 4xx the request earned stays what it is.
 */
export function unavailableError(error: unknown): TRPCError | null {
  if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") return null;
  if (!isDatabaseUnavailable(error)) return null;
  const cause = new DatabaseUnavailable(error);
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: cause.message, cause });
}

/** The error as a client should see it: a 503 when the database is unreachable, else unchanged. */
export const withUnavailable = (error: unknown): unknown => unavailableError(error) ?? error;

/** How often an outage still going on is logged, and how often the database is asked if it is back. */
export const OUTAGE_LOG_EVERY_MS = 10_000;
const PROBE_EVERY_MS = 1_000;

/**
 * The log of a database outage, which every refused request reports to: a warning with the cause
 * when the first request is refused, then at most one line per `everyMs` with the number refused
 * meanwhile, and one line when the database answers again (asked every `probeMs` while it is down).
 * A heartbeat every 10 s from a thousand agents would otherwise write a hundred stack traces a
 * second, burying the one line that says what happened.
 */
export class DatabaseOutageLog {
  private since: number | null = null;
  private refusedTotal = 0;
  private refusedSinceLine = 0;
  private lastLineAt = 0;
  private probe: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly log: Pick<Logger, "warn" | "info">,
    /** Resolves once the database answers (e.g. `select 1`); rejects while it does not. */
    private readonly ping: () => Promise<unknown>,
    private readonly options: { everyMs?: number; probeMs?: number; now?: () => number } = {},
  ) {}

  /** Whether an outage is going on (a request was refused and the database has not answered since). */
  get down(): boolean {
    return this.since !== null;
  }

  /** A request refused because the database is unreachable; `error` is what the driver said. */
  refused(error: unknown): void {
    const now = this.now();
    this.refusedTotal++;
    if (this.since === null) {
      this.since = this.lastLineAt = now;
      this.refusedSinceLine = 0;
      this.log.warn({ err: driverError(error) }, "database unreachable: answering 503 until it is back");
      this.scheduleProbe();
      return;
    }
    this.refusedSinceLine++;
    if (now - this.lastLineAt >= (this.options.everyMs ?? OUTAGE_LOG_EVERY_MS)) {
      this.log.warn(
        { refused: this.refusedSinceLine, downForMs: now - this.since },
        "database still unreachable",
      );
      this.lastLineAt = now;
      this.refusedSinceLine = 0;
    }
  }

  /** Ends the probe (server shutdown); an outage going on is not reported as over. */
  stop(): void {
    this.stopped = true;
    if (this.probe) clearTimeout(this.probe);
    this.probe = null;
  }

  private scheduleProbe() {
    if (this.stopped || this.probe) return;
    this.probe = setTimeout(() => {
      this.ping().then(
        () => {
          this.probe = null;
          this.recovered();
        },
        () => {
          this.probe = null;
          if (this.since !== null) this.scheduleProbe();
        },
      );
    }, this.options.probeMs ?? PROBE_EVERY_MS);
    // The probe never keeps the process alive on its own.
    this.probe.unref?.();
  }

  private recovered() {
    if (this.since === null || this.stopped) return;
    this.log.info(
      { downMs: this.now() - this.since, refused: this.refusedTotal },
      "database reachable again",
    );
    this.since = null;
    this.refusedTotal = 0;
    this.refusedSinceLine = 0;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/** The driver's own error under the 503's wrappers: the line says what the driver said. */
function driverError(error: unknown): unknown {
  let current = error;
  while (current instanceof TRPCError || current instanceof DatabaseUnavailable) {
    if (current.cause === undefined) break;
    current = current.cause;
  }
  return current;
}
