/**
 * What the OpenAPI document (openapi.ts) describes: the wire endpoints, and every procedure of the
 * server's tRPC router with how it is called, who may call it, and its input/output schemas where
 * the contracts have them. A test in packages/api checks the procedure list against the router.
 */
import { z } from "zod";
import { EventEnvelopeSchema, OnEventInputSchema } from "./events";
import {
  RecentEventsInputSchema,
  RecentEventsSchema,
  RestartRecordSchema,
  RestartsInputSchema,
  WorkspaceHistorySchema,
} from "./history";
import {
  CheckAccessInputSchema,
  CheckAccessOutputSchema,
  HeartbeatInputSchema,
  HeartbeatOutputSchema,
  RegisterInputSchema,
  RegisterOutputSchema,
  UpdateCardInputSchema,
  UpdateCardOutputSchema,
} from "./registry";
import {
  CardsInputSchema,
  CardViewSchema,
  CreateWorkspaceInputSchema,
  EventsPageInputSchema,
  IdInputSchema,
  ListInputSchema,
  MoveInputSchema,
  RemoveInputSchema,
  SecretDeleteInputSchema,
  SecretSetInputSchema,
  SetCollapsedInputSchema,
  UpdateWorkspaceInputSchema,
  WorkspaceViewSchema,
} from "./workspace";

// ─── The wire endpoints (SPEC §3) ────────────────────────────────────────────────────────────────

export interface WireEndpoint {
  path: string;
  name: string;
  summary: string;
  input: z.ZodType;
  output: z.ZodType;
}

export const WIRE_ENDPOINTS: WireEndpoint[] = [
  {
    path: "/registry/register",
    name: "Register",
    summary:
      "A (fresh) agent process announces itself: the workspace goes online, a wedge reported by the previous process is cleared.",
    input: RegisterInputSchema,
    output: RegisterOutputSchema,
  },
  {
    path: "/registry/heartbeat",
    name: "Heartbeat",
    summary:
      'Reports health every heartbeat_interval_ms. runtime_state "wedged" or error_rate ≥ 0.5 degrades the workspace; the answer carries the operator\'s directives (restart, pause, over_budget). Absent fields mean healthy/zero; send them all.',
    input: HeartbeatInputSchema,
    output: HeartbeatOutputSchema,
  },
  {
    path: "/registry/update-card",
    name: "UpdateCard",
    summary: "Replaces the workspace's A2A agent card (an unchanged card writes nothing).",
    input: UpdateCardInputSchema,
    output: UpdateCardOutputSchema,
  },
  {
    path: "/registry/check-access",
    name: "CheckAccess",
    summary: "Whether caller_id (the token's own workspace) may talk to target_id, and which rule decided.",
    input: CheckAccessInputSchema,
    output: CheckAccessOutputSchema,
  },
];

// ─── tRPC over HTTP (SPEC §3, §4) ────────────────────────────────────────────────────────────────

export type ProcedureKind = "query" | "mutation" | "subscription";
type Auth = "workspaceToken" | "adminToken";

export interface Procedure {
  name: string;
  kind: ProcedureKind;
  auth: Auth;
  summary: string;
  input?: z.ZodType;
  /** Absent: the output has no schema in the contracts (documented as any JSON). */
  output?: z.ZodType;
}

const TokenOutputSchema = z.object({ token: z.string() });

export const PROCEDURES: Procedure[] = [
  {
    name: "registry.register",
    kind: "mutation",
    auth: "workspaceToken",
    summary: "Same as POST /registry/register, camelCase.",
    input: RegisterInputSchema,
    output: RegisterOutputSchema,
  },
  {
    name: "registry.heartbeat",
    kind: "mutation",
    auth: "workspaceToken",
    summary: "Same as POST /registry/heartbeat, camelCase.",
    input: HeartbeatInputSchema,
    output: HeartbeatOutputSchema,
  },
  {
    name: "registry.updateCard",
    kind: "mutation",
    auth: "workspaceToken",
    summary: "Same as POST /registry/update-card, camelCase.",
    input: UpdateCardInputSchema,
    output: UpdateCardOutputSchema,
  },
  {
    name: "registry.checkAccess",
    kind: "query",
    auth: "workspaceToken",
    summary: "Same as POST /registry/check-access, camelCase (operators may ask too).",
    input: CheckAccessInputSchema,
    output: CheckAccessOutputSchema,
  },
  {
    name: "workspace.list",
    kind: "query",
    auth: "adminToken",
    summary:
      "Every non-removed workspace with status, telemetry and layout; includeRemoved: true adds the removed tombstones.",
    input: ListInputSchema,
    output: z.array(WorkspaceViewSchema),
  },
  {
    name: "workspace.cards",
    kind: "query",
    auth: "adminToken",
    summary:
      'What the canvas draws of every non-removed workspace: a slimmer list for first paint (includeRemoved: true for "show removed"). With first: N, only the N top-level cards nearest the top-left (by y, then x).',
    input: CardsInputSchema,
    output: z.array(CardViewSchema),
  },
  {
    name: "workspace.createOptions",
    kind: "query",
    auth: "adminToken",
    summary: "The runtimes and templates (with their defaults) the create dialog offers.",
  },
  {
    name: "workspace.get",
    kind: "query",
    auth: "adminToken",
    summary: "One workspace plus secret keys (never values), memories and recent events.",
    input: IdInputSchema,
  },
  {
    name: "workspace.create",
    kind: "mutation",
    auth: "adminToken",
    summary: "Creates a workspace; the token in the answer is shown once (external agents connect with it).",
    input: CreateWorkspaceInputSchema,
    output: z.object({ workspace: WorkspaceViewSchema, token: z.string() }),
  },
  {
    name: "workspace.update",
    kind: "mutation",
    auth: "adminToken",
    summary: "Name, role, tier, model, parent, forwarding, budget, concurrency.",
    input: UpdateWorkspaceInputSchema,
  },
  {
    name: "workspace.move",
    kind: "mutation",
    auth: "adminToken",
    summary: "Saves canvas positions in one transaction.",
    input: MoveInputSchema,
  },
  {
    name: "workspace.setCollapsed",
    kind: "mutation",
    auth: "adminToken",
    summary: "Collapses or expands a parent card.",
    input: SetCollapsedInputSchema,
  },
  {
    name: "workspace.restart",
    kind: "mutation",
    auth: "adminToken",
    summary:
      "Restarts the workspace's process (external: sends the restart directive). Idempotent while provisioning.",
    input: IdInputSchema,
  },
  {
    name: "workspace.pause",
    kind: "mutation",
    auth: "adminToken",
    summary: "Pauses the workspace and its descendants.",
    input: IdInputSchema,
  },
  {
    name: "workspace.resume",
    kind: "mutation",
    auth: "adminToken",
    summary: "Resumes a paused workspace.",
    input: IdInputSchema,
  },
  {
    name: "workspace.remove",
    kind: "mutation",
    auth: "adminToken",
    summary: "Removes the workspace (children need cascade: true).",
    input: RemoveInputSchema,
  },
  {
    name: "workspace.rotateToken",
    kind: "mutation",
    auth: "adminToken",
    summary: "A new token for an external agent; the old one stops working.",
    input: IdInputSchema,
    output: TokenOutputSchema,
  },
  {
    name: "workspace.events",
    kind: "query",
    auth: "adminToken",
    summary: "The workspace's status timeline, newest first, paged by cursor.",
    input: EventsPageInputSchema,
  },
  {
    name: "workspace.logs",
    kind: "query",
    auth: "adminToken",
    summary: "The workspace process's recent stdout/stderr (local runtimes).",
    input: IdInputSchema,
  },
  {
    name: "workspace.history",
    kind: "query",
    auth: "adminToken",
    summary:
      "The last heartbeats this server instance heard from the workspace (error rate, gap since the previous one), oldest first: at most 60 samples within 10 minutes, kept in memory.",
    input: IdInputSchema,
    output: WorkspaceHistorySchema,
  },
  {
    name: "workspace.restarts",
    kind: "query",
    auth: "adminToken",
    summary:
      "The workspace's restarts and resumes, newest first: when, why (operator, crash, crash_loop, server_start, resume) and how each ended.",
    input: RestartsInputSchema,
    output: z.array(RestartRecordSchema),
  },
  {
    name: "events.latestId",
    kind: "query",
    auth: "adminToken",
    summary: "The newest persisted event id: read it before workspace.list, then subscribe from it.",
  },
  {
    name: "events.recent",
    kind: "query",
    auth: "adminToken",
    summary:
      "Persisted events of every workspace, newest first, at most `limit` (≤ 200) per page; `before` pages to older ones.",
    input: RecentEventsInputSchema,
    output: RecentEventsSchema,
  },
  {
    name: "events.onEvent",
    kind: "subscription",
    auth: "adminToken",
    summary:
      "Server-sent events: every persisted event after lastEventId, then live events (telemetry coalesced). Each SSE message's data is an event envelope.",
    input: OnEventInputSchema,
    output: EventEnvelopeSchema,
  },
  {
    name: "secret.list",
    kind: "query",
    auth: "adminToken",
    summary: "Secret keys and timestamps (never values).",
    input: IdInputSchema,
  },
  {
    name: "secret.set",
    kind: "mutation",
    auth: "adminToken",
    summary: "Sets a secret (stored encrypted).",
    input: SecretSetInputSchema,
  },
  {
    name: "secret.delete",
    kind: "mutation",
    auth: "adminToken",
    summary: "Deletes a secret.",
    input: SecretDeleteInputSchema,
  },
];
