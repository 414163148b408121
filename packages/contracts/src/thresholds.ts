/** Thresholds, defaults and limits from SPEC §2–§5. Server config may override the *_MS defaults. */

/** Error rate at or above which a heartbeat is unhealthy and degrades an online workspace. */
export const DEGRADE_AT = 0.5;
/** Error rate strictly below which a degraded workspace may recover (hysteresis with DEGRADE_AT). */
export const RECOVER_BELOW = 0.1;

export const HEARTBEAT_INTERVAL_MS = 10_000;
export const OFFLINE_AFTER_MS = 30_000;
export const SWEEP_INTERVAL_MS = 2_000;
export const PROVISION_TIMEOUT_MS = 120_000;

export const LIMITS = {
  sampleError: 4_096,
  currentTask: 1_024,
  runtimeState: 64,
  monthlySpendMax: 1_000_000_000_000,
  bodyBytes: 64 * 1024,
  agentCardBytes: 256 * 1024,
  url: 2_048,
  name: 255,
  role: 1_000,
  model: 100,
  moveBatch: 1_000,
  /** workspace.cards({ first }): the canvas's first-paint slice, top-left cards first. */
  firstCards: 2_000,
  memoryContent: 100_000,
  initialMemories: 100,
  secretValueBytes: 64 * 1024,
  secretsPerCreate: 100,
  accessDepth: 32,
  forwardHops: 8,
  workspaceDir: 4_096,
  id: 64,
} as const;

/** The ellipsis appended when a long sampleError/currentTask is truncated rather than rejected. */
export const TRUNCATION_MARK = "…";
