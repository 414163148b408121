import {
  CardsInputSchema,
  CreateWorkspaceInputSchema,
  EventsPageInputSchema,
  IdInputSchema,
  ListInputSchema,
  MoveInputSchema,
  RemoveInputSchema,
  RestartsInputSchema,
  SetCollapsedInputSchema,
  UpdateWorkspaceInputSchema,
} from "@molecule/contracts";
import { listCards, listFirstCards } from "@molecule/db";
import { createOptions } from "../services/create-options";
import { workspaceHistory, workspaceRestarts } from "../services/details-history";
import {
  pauseWorkspace,
  removeWorkspace,
  restartWorkspace,
  resumeWorkspace,
  rotateWorkspaceToken,
} from "../services/lifecycle";
import {
  getWorkspaceDetails,
  moveWorkspaces,
  setCollapsed,
  updateWorkspace,
  workspaceTimeline,
} from "../services/workspace-edits";
import { createWorkspace, listWorkspaces } from "../services/workspaces";
import { operatorProcedure, router } from "../trpc";

/** Operator procedures on workspaces (SPEC §4). Thin: each calls one service function. */
export const workspaceRouter = router({
  list: operatorProcedure
    .input(ListInputSchema)
    .query(({ ctx, input }) => listWorkspaces(ctx.services, input.includeRemoved)),
  /** The canvas's first paint: only what a card shows (details come from `get` on demand). */
  cards: operatorProcedure
    .input(CardsInputSchema)
    .query(({ ctx, input }) =>
      input.first
        ? listFirstCards(ctx.services.handle.db, input.first)
        : listCards(ctx.services.handle.db, new Date(), input.includeRemoved),
    ),
  /** Runtimes and templates the server knows, for the create dialog's pickers. */
  createOptions: operatorProcedure.query(({ ctx }) => createOptions(ctx.services)),
  get: operatorProcedure
    .input(IdInputSchema)
    .query(({ ctx, input }) => getWorkspaceDetails(ctx.services, input.id)),
  create: operatorProcedure
    .input(CreateWorkspaceInputSchema)
    .mutation(({ ctx, input }) => createWorkspace(ctx.services, input)),
  update: operatorProcedure
    .input(UpdateWorkspaceInputSchema)
    .mutation(({ ctx, input }) => updateWorkspace(ctx.services, input)),
  move: operatorProcedure
    .input(MoveInputSchema)
    .mutation(({ ctx, input }) => moveWorkspaces(ctx.services, input)),
  setCollapsed: operatorProcedure
    .input(SetCollapsedInputSchema)
    .mutation(({ ctx, input }) => setCollapsed(ctx.services, input.id, input.collapsed)),
  restart: operatorProcedure
    .input(IdInputSchema)
    .mutation(({ ctx, input }) => restartWorkspace(ctx.services, input.id)),
  pause: operatorProcedure
    .input(IdInputSchema)
    .mutation(({ ctx, input }) => pauseWorkspace(ctx.services, input.id)),
  resume: operatorProcedure
    .input(IdInputSchema)
    .mutation(({ ctx, input }) => resumeWorkspace(ctx.services, input.id)),
  remove: operatorProcedure
    .input(RemoveInputSchema)
    .mutation(({ ctx, input }) => removeWorkspace(ctx.services, input.id, input.cascade)),
  rotateToken: operatorProcedure
    .input(IdInputSchema)
    .mutation(({ ctx, input }) => rotateWorkspaceToken(ctx.services, input.id)),
  events: operatorProcedure
    .input(EventsPageInputSchema)
    .query(({ ctx, input }) => workspaceTimeline(ctx.services, input.id, input.cursor, input.limit)),
  /** Recent heartbeats (error rate, gap) from this instance's in-memory history, for sparklines. */
  history: operatorProcedure
    .input(IdInputSchema)
    .query(({ ctx, input }) => workspaceHistory(ctx.services, input.id)),
  restarts: operatorProcedure
    .input(RestartsInputSchema)
    .query(({ ctx, input }) => workspaceRestarts(ctx.services, input.id, input.limit)),
  logs: operatorProcedure
    .input(IdInputSchema)
    .query(({ ctx, input }) => ctx.services.processes?.logs(input.id) ?? []),
});
