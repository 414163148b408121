export { loadConfig, type ServerConfig } from "./config";
export type { AppRouter } from "./root";
export { appRouter, createCaller } from "./root";
export { isOperator } from "./services/operator-auth";
export type { Services } from "./services/services";
export {
  handleSessionRequest,
  type SessionReply,
  type SessionRequest,
} from "./services/session-endpoint";
export { createContext } from "./trpc";
