import { z } from "zod";
import {
  agentText,
  jsonDepthAtMost,
  MAX_AGENT_JSON_DEPTH,
  sanitizeAgentJson,
  sanitizeAgentText,
  sanitizeDisplayText,
} from "./agent-text";
import { WorkspaceIdSchema } from "./ids";
import { WorkspaceStatusSchema } from "./statuses";
import { jsonBytes } from "./text";
import { LIMITS } from "./thresholds";

/** The one runtimeState that triggers a degrade; any non-empty value blocks recovery (SPEC §2). */
export const WEDGED = "wedged";

const HttpUrlSchema = z
  .string()
  .max(LIMITS.url, { message: `must be at most ${LIMITS.url} characters` })
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:";
      } catch {
        return false;
      }
    },
    { message: "must be an http or https URL" },
  )
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.username === "" && url.password === "";
      } catch {
        return true;
      }
    },
    { message: "must not contain credentials" },
  );

/** An http(s) URL without credentials (SPEC §3); NUL and lone surrogates are replaced first. */
export const AgentUrlSchema = z
  .string({ message: "must be a string" })
  .transform(sanitizeAgentText)
  .pipe(HttpUrlSchema);

/**
 * An A2A agent card: any JSON object up to 256 KiB, nested at most 64 levels, every string and key
 * sanitised (the depth check runs first and stops there, so nothing recurses over a hostile card).
 */
export const AgentCardSchema = z
  .record(z.string(), z.unknown(), { message: "must be a JSON object" })
  .refine((card) => jsonDepthAtMost(card, MAX_AGENT_JSON_DEPTH), {
    message: `must be nested at most ${MAX_AGENT_JSON_DEPTH} levels deep`,
    abort: true,
  })
  .transform((card) => sanitizeAgentJson(card) as Record<string, unknown>)
  .refine((card) => jsonBytes(card) <= LIMITS.agentCardBytes, {
    message: `must be at most ${LIMITS.agentCardBytes / 1024} KiB`,
  });
export type AgentCard = z.infer<typeof AgentCardSchema>;

export const RegisterInputSchema = z.object({
  id: WorkspaceIdSchema,
  url: AgentUrlSchema.nullish().transform((v) => v ?? null),
  agentCard: AgentCardSchema.default({}),
});
export type RegisterInput = z.input<typeof RegisterInputSchema>;

const finiteNonNegative = (field: string) =>
  z
    .number({ message: `${field} must be a number` })
    .finite({ message: `${field} must be a finite number` })
    .min(0, { message: `${field} must not be negative` });

/**
 * A heartbeat. Every field but the id has a default so that older runtimes sending only
 * `workspace_id` are accepted; text is sanitised (agent-text.ts) and sampleError/currentTask are
 * truncated by code points, never rejected for length;
 * monthlySpend is clamped (negative → 0 = "no update", above the cap → the cap).
 */
export const HeartbeatInputSchema = z.object({
  workspaceId: WorkspaceIdSchema,
  errorRate: z
    .number({ message: "must be a number between 0 and 1" })
    .finite({ message: "must be a finite number between 0 and 1" })
    .min(0, { message: "must be between 0 and 1" })
    .max(1, { message: "must be between 0 and 1" })
    .default(0),
  sampleError: agentText(LIMITS.sampleError),
  activeTasks: z
    .number({ message: "must be a whole number" })
    .int({ message: "must be a whole number" })
    .min(0, { message: "must not be negative" })
    .max(1_000_000, { message: "is too large" })
    .default(0),
  uptimeSeconds: finiteNonNegative("uptimeSeconds")
    .default(0)
    .transform((n) => Math.min(Math.floor(n), 2_147_483_647)),
  currentTask: agentText(LIMITS.currentTask),
  monthlySpend: z
    .number({ message: "must be a number of cents" })
    .finite({ message: "must be a finite number of cents" })
    .default(0)
    .transform((n) => (n <= 0 ? 0 : Math.min(Math.round(n), LIMITS.monthlySpendMax))),
  runtimeState: z
    .string({ message: "must be a string" })
    .max(LIMITS.runtimeState, { message: `must be at most ${LIMITS.runtimeState} characters` })
    .default("")
    .transform(sanitizeDisplayText),
});
export type HeartbeatInput = z.input<typeof HeartbeatInputSchema>;
export type Heartbeat = z.output<typeof HeartbeatInputSchema>;

export const DIRECTIVES = ["restart", "pause", "over_budget"] as const;
export const DirectiveSchema = z.enum(DIRECTIVES);
export type Directive = z.infer<typeof DirectiveSchema>;

export const RegisterOutputSchema = z.object({
  status: WorkspaceStatusSchema,
  heartbeatIntervalMs: z.number().int().positive(),
});
export type RegisterOutput = z.infer<typeof RegisterOutputSchema>;

export const HeartbeatOutputSchema = z.object({
  status: WorkspaceStatusSchema,
  heartbeatIntervalMs: z.number().int().positive(),
  directives: z.array(DirectiveSchema),
});
export type HeartbeatOutput = z.infer<typeof HeartbeatOutputSchema>;

export const UpdateCardInputSchema = z.object({
  workspaceId: WorkspaceIdSchema,
  agentCard: AgentCardSchema,
});
export type UpdateCardInput = z.input<typeof UpdateCardInputSchema>;

export const CheckAccessInputSchema = z.object({
  callerId: WorkspaceIdSchema,
  targetId: WorkspaceIdSchema,
});
export type CheckAccessInput = z.input<typeof CheckAccessInputSchema>;

export const ACCESS_REASONS = [
  "self",
  "siblings",
  "parent",
  "child",
  "ancestor",
  "descendant",
  "not_related",
  "unknown_caller",
  "unknown_target",
  "removed",
  "forward_loop",
] as const;
export const AccessReasonSchema = z.enum(ACCESS_REASONS);
export type AccessReason = z.infer<typeof AccessReasonSchema>;

export const CheckAccessOutputSchema = z.object({ allowed: z.boolean(), reason: AccessReasonSchema });
export type CheckAccessOutput = z.infer<typeof CheckAccessOutputSchema>;

export const UpdateCardOutputSchema = z.object({ ok: z.literal(true) });
export type UpdateCardOutput = z.infer<typeof UpdateCardOutputSchema>;
