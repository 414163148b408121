import { eventsRouter } from "./routers/events";
import { registryRouter } from "./routers/registry";
import { secretRouter } from "./routers/secret";
import { workspaceRouter } from "./routers/workspace";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  registry: registryRouter,
  workspace: workspaceRouter,
  events: eventsRouter,
  secret: secretRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
