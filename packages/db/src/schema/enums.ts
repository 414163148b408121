import { WORKSPACE_STATUSES } from "@molecule/contracts";
import { pgEnum } from "drizzle-orm/pg-core";

/** Generated from the shared tuple, so the DB and the code can never disagree on the statuses. */
export const workspaceStatus = pgEnum("workspace_status", WORKSPACE_STATUSES);
