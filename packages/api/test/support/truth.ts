import { appendFileSync } from "node:fs";

/**
 * One measured figure of the fault-injection suite: how long after the fault was injected the live
 * event stream first showed the true status, and which wrong statuses it showed in between.
 *
 * Tests assert correctness (the true status arrives, nothing false is shown); the *figures* are
 * speed, so they are not asserted here but written, one JSON line each, to the file named by
 * TRUTH_REPORT when it is set. `bench/truth.ts` runs the fault suite with it set and prints the
 * figures against SPEC's targets (bench/results/truth-*.json).
 */
export interface TruthFigure {
  /** Short name of the fault, e.g. "agent SIGSTOP", "partition 2x OFFLINE_AFTER_MS". */
  fault: string;
  /** The status (and detail) that is true after the fault, e.g. "offline". */
  trueStatus: string;
  /** Milliseconds from injection to the true status on the stream; null if it never came. */
  ms: number | null;
  /** The target from the table, in ms, for the report to compare against. */
  targetMs: number;
  /** How the target is written in the table, e.g. "OFFLINE_AFTER_MS + 2 s". */
  target: string;
  /** Statuses the stream showed that were not true at the time (flaps, false online/offline). */
  wrongSeen: string[];
  /** Anything else worth a column: counts of events, processes, rows. */
  detail?: string;
  /** The database the figure is about, when it is not the suite's (DATABASE_URL's) own. */
  database?: "postgres" | "pglite";
}

export function recordTruth(figure: TruthFigure): void {
  const file = process.env.TRUTH_REPORT;
  if (!file) return;
  const database = figure.database ?? (process.env.DATABASE_URL ? "postgres" : "pglite");
  appendFileSync(file, `${JSON.stringify({ ...figure, database, at: new Date().toISOString() })}\n`);
}
