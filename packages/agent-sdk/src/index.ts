export { Agent, type AgentLogger, type AgentOptions, AgentStoppedError, EXIT_FOR_RESTART } from "./agent";
export { backoffDelay, jitter } from "./backoff";
export {
  createPlatformClient,
  DEFAULT_REQUEST_TIMEOUT_MS,
  httpStatusOf,
  type PlatformClient,
  PlatformError,
} from "./client";
export { createAgentFromEnv, envTokenSource } from "./env";
export { ErrorWindow, type ErrorWindowOptions } from "./error-window";
export { SpendMeter } from "./spend";
export {
  errorText,
  isWedged,
  markWedged,
  processWedge,
  resetWedgeForTests,
  WEDGE_ERROR_PATTERNS,
  WedgeDetector,
  wedgeReason,
} from "./wedge";
