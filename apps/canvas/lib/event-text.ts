import type { EventEnvelope } from "@molecule/contracts";

/** "degraded", "provision failed"…: an event type as a person would say it. */
export function eventLabel(type: string): string {
  return type
    .replace(/^WORKSPACE_/, "")
    .replaceAll("_", " ")
    .toLowerCase();
}

/** The payload facts worth a line: reason, where it recovered from, the sample error. */
export function describeEvent(e: Pick<EventEnvelope, "payload">): string {
  const p = e.payload as Record<string, unknown>;
  const bits: string[] = [];
  if (typeof p.reason === "string") bits.push(p.reason);
  if (typeof p.recoveredFrom === "string") bits.push(`from ${p.recoveredFrom}`);
  if (typeof p.previousStatus === "string") bits.push(`was ${p.previousStatus}`);
  if (typeof p.cause === "string") bits.push(`after ${p.cause.replaceAll("_", " ")}`);
  // SPEC §2 [r2]: an external restart timed out while the old runtime kept heartbeating.
  if (p.restartAcknowledged === false)
    bits.push("restart not acknowledged: the agent kept running without restarting");
  if (typeof p.sampleError === "string" && p.sampleError) bits.push(p.sampleError);
  return bits.join(" · ");
}
