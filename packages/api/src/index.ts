export { loadConfig, type ServerConfig } from "./config";
export type { AppRouter } from "./root";
export { appRouter, createCaller } from "./root";
export type { Services } from "./services/services";
export { createContext } from "./trpc";
