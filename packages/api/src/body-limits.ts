import { LIMITS } from "@molecule/contracts";

// Heartbeats are small and frequent: 64 KiB (SPEC §2). Register/update-card carry an agent card
// of up to 256 KiB. Operator calls (create with secrets and memories) get a generous cap.
const CARD_BODY = LIMITS.agentCardBytes + 64 * 1024;
const OPERATOR_BODY = 16 * 1024 * 1024;

/** The body limit of one call, by procedure (`registry.heartbeat`) or wire name (`heartbeat`). */
export function bodyLimitFor(name: string): number {
  if (/heartbeat$/.test(name)) return LIMITS.bodyBytes;
  if (/^registry\.|^register$|^update-card$|^check-access$/.test(name)) return CARD_BODY;
  return OPERATOR_BODY;
}
