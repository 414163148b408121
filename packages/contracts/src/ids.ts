import { z } from "zod";
import { LIMITS } from "./thresholds";

/** Workspace ids are UUIDs minted by the server; agents echo them back. */
export const WorkspaceIdSchema = z
  .string({ message: "is required" })
  .min(1, { message: "is required" })
  .max(LIMITS.id, { message: `must be at most ${LIMITS.id} characters` })
  .regex(/^[A-Za-z0-9_-]+$/, { message: "must be a workspace id (letters, digits, - and _)" });

export const EventIdSchema = z.string().regex(/^\d{1,19}$/, { message: "must be an event id" });
