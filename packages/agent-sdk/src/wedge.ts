/**
 * The wedge detector (SPEC §7). A "wedged" runtime is alive but broken: the task that heartbeats
 * keeps running while the runtime beside it is dead (e.g. an SDK stuck on
 * `Control request timeout: initialize`). Once wedged, the runtime stays wedged: the first reason
 * wins and sticks, so no later call or partial heartbeat can clear it. Only a fresh runtime (a new
 * process, or an operator-directed restart of the runtime, see Agent) starts clean.
 */

/** Errors that mean the runtime itself is wedged, not just that one task failed. */
export const WEDGE_ERROR_PATTERNS: readonly RegExp[] = [/control request timeout/i];

export class WedgeDetector {
  private reason: string | null = null;

  constructor(private readonly patterns: readonly RegExp[] = WEDGE_ERROR_PATTERNS) {}

  /** Marks the runtime wedged. Returns true when this call was the one that wedged it. */
  markWedged(reason: string): boolean {
    if (this.reason !== null) return false;
    this.reason = reason.trim() || "runtime wedged";
    return true;
  }

  isWedged(): boolean {
    return this.reason !== null;
  }

  /** The first reason given, or "" when not wedged. */
  wedgeReason(): string {
    return this.reason ?? "";
  }

  /** Whether this error means the runtime is wedged (matches one of the patterns). */
  matches(error: unknown): boolean {
    const text = errorText(error);
    return this.patterns.some((p) => p.test(text));
  }

  /** Looks at a failure: marks the runtime wedged when it matches. True when this call wedged it. */
  observe(error: unknown): boolean {
    return this.matches(error) && this.markWedged(errorText(error));
  }

  /**
   * Forgets the wedge. Only for tests and for the moment the runtime itself was replaced (an
   * operator-directed restart): never call it because a task happened to succeed.
   */
  reset(): void {
    this.reason = null;
  }
}

/** A one-line description of anything thrown. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** The detector of this process: a wedge is a property of the runtime, and there is one per process. */
export const processWedge = new WedgeDetector();

export const markWedged = (reason: string): boolean => processWedge.markWedged(reason);
export const isWedged = (): boolean => processWedge.isWedged();
export const wedgeReason = (): string => processWedge.wedgeReason();
/** Test-only: clears this process's wedge between test cases. */
export const resetWedgeForTests = (): void => processWedge.reset();
