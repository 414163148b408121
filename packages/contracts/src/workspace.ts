import { z } from "zod";
import { WorkspaceIdSchema } from "./ids";
import { AgentUrlSchema, DirectiveSchema } from "./registry";
import { secretKeyProblem } from "./secret-names";
import { WorkspaceStatusSchema } from "./statuses";
import { multiLine, singleLine, wellFormed } from "./text";
import { LIMITS } from "./thresholds";

export const WORKSPACE_ACCESS = ["none", "read_only", "read_write"] as const;
export const WorkspaceAccessSchema = z.enum(WORKSPACE_ACCESS);

export const MEMORY_SCOPES = ["LOCAL", "TEAM", "GLOBAL"] as const;
export const MemoryScopeSchema = z.enum(MEMORY_SCOPES);

export const SecretKeySchema = z.string().superRefine((key, ctx) => {
  const problem = secretKeyProblem(key);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
export const SecretValueSchema = z
  .string()
  .refine((v) => Buffer.byteLength(v, "utf8") <= LIMITS.secretValueBytes, {
    message: `must be at most ${LIMITS.secretValueBytes / 1024} KiB`,
  });

// System directories an agent must never be pointed at. The roots themselves are refused; so is
// anything beneath the ones that only hold the OS (a home or /var/lib/<app> folder is fine).
const SYSTEM_ROOTS = [
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/lib64",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/var",
  "/home",
  "/tmp",
];
const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr"];

export function isSystemPath(path: string): boolean {
  const normal = path.replace(/\/+$/, "") || "/";
  return SYSTEM_ROOTS.includes(normal) || SYSTEM_TREES.some((dir) => normal.startsWith(`${dir}/`));
}

export const WorkspaceDirSchema = singleLine(LIMITS.workspaceDir)
  .refine((p) => p.startsWith("/"), { message: "must be an absolute path" })
  .refine((p) => !p.split("/").includes(".."), { message: "must not contain '..'" })
  .refine((p) => !isSystemPath(p), { message: "must not be a system directory" });

const CanvasPointSchema = z.object({
  x: z.number().finite({ message: "must be a finite number" }),
  y: z.number().finite({ message: "must be a finite number" }),
});

/** Tier 1–4, or 0 for "not chosen" (seed behaviour). */
const TierChoiceSchema = z
  .number({ message: "must be a whole number from 1 to 4" })
  .int({ message: "must be a whole number from 1 to 4" })
  .min(0, { message: "must be from 1 to 4" })
  .max(4, { message: "must be from 1 to 4" });

/** Tier 1–4; 0 means the default tier 3 (seed behaviour). */
export const TierSchema = TierChoiceSchema.transform((t) => (t === 0 ? 3 : t));

const BudgetLimitSchema = z
  .number({ message: "must be a number of cents" })
  .int({ message: "must be a whole number of cents" })
  .min(0, { message: "must not be negative" })
  .max(LIMITS.monthlySpendMax, { message: "is too large" })
  .nullable();

const MaxConcurrentTasksSchema = z
  .number({ message: "must be a whole number from 1 to 100" })
  .int({ message: "must be a whole number from 1 to 100" })
  .min(1, { message: "must be from 1 to 100" })
  .max(100, { message: "must be from 1 to 100" });

export const NameSchema = singleLine(LIMITS.name)
  .transform((s) => s.trim())
  .pipe(z.string().min(1, { message: "is required" }));

export const InitialMemorySchema = z.object({
  content: wellFormed(LIMITS.memoryContent).min(1, { message: "must not be empty" }),
  scope: MemoryScopeSchema.default("LOCAL"),
});

export const CreateWorkspaceInputSchema = z
  .object({
    name: NameSchema,
    role: multiLine(LIMITS.role).default(""),
    template: singleLine(100).optional(),
    // No defaults here: 0 or omitted means "not chosen", so a template's tier can fill it (SPEC §4);
    // createWorkspace falls back to 3.
    tier: TierChoiceSchema.optional(),
    model: singleLine(LIMITS.model).default(""),
    runtime: singleLine(100).optional(),
    external: z.boolean().default(false),
    url: AgentUrlSchema.optional(),
    workspaceDir: WorkspaceDirSchema.optional(),
    workspaceAccess: WorkspaceAccessSchema.default("none"),
    parentId: WorkspaceIdSchema.nullish(),
    budgetLimit: BudgetLimitSchema.default(null),
    // Omitted → the template's value, else 1 (resolved in createWorkspace, which knows the template).
    maxConcurrentTasks: MaxConcurrentTasksSchema.optional(),
    secrets: z
      // A bad key reads "Invalid key in record" by default: surface the key rule's own message.
      .record(SecretKeySchema, SecretValueSchema, {
        error: (issue) =>
          issue.code === "invalid_key" ? (issue.issues?.[0]?.message ?? undefined) : undefined,
      })
      .refine((s) => Object.keys(s).length <= LIMITS.secretsPerCreate, {
        message: `at most ${LIMITS.secretsPerCreate} secrets`,
      })
      .default({}),
    canvas: CanvasPointSchema.optional(),
    initialMemories: z
      .array(InitialMemorySchema)
      .max(LIMITS.initialMemories, { message: `at most ${LIMITS.initialMemories} memories` })
      .default([]),
  })
  .superRefine((input, ctx) => {
    if (input.url !== undefined && !input.external) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "is only for external workspaces" });
    }
    if (input.workspaceAccess !== "none" && input.workspaceDir === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["workspaceAccess"],
        message: "needs a workspaceDir when access is read_only or read_write",
      });
    }
  });
export type CreateWorkspaceInput = z.input<typeof CreateWorkspaceInputSchema>;
export type CreateWorkspace = z.output<typeof CreateWorkspaceInputSchema>;

export const UpdateWorkspaceInputSchema = z.object({
  id: WorkspaceIdSchema,
  name: NameSchema.optional(),
  role: multiLine(LIMITS.role).optional(),
  tier: TierSchema.optional(),
  model: singleLine(LIMITS.model).optional(),
  parentId: WorkspaceIdSchema.nullable().optional(),
  forwardedTo: WorkspaceIdSchema.nullable().optional(),
  budgetLimit: BudgetLimitSchema.optional(),
  maxConcurrentTasks: MaxConcurrentTasksSchema.optional(),
});
export type UpdateWorkspaceInput = z.input<typeof UpdateWorkspaceInputSchema>;

export const IdInputSchema = z.object({ id: WorkspaceIdSchema });

/** workspace.list: removed tombstones only when asked for ("show removed", SPEC §1). */
export const ListInputSchema = z
  .object({ includeRemoved: z.boolean().default(false) })
  .optional()
  .transform((input) => input ?? { includeRemoved: false });
export type ListInput = z.input<typeof ListInputSchema>;

/**
 * workspace.cards: without input, every non-removed card; `includeRemoved` adds the removed ones
 * ("show removed"). With `first`, only that many top-level non-removed cards, the top-left of the
 * canvas first (by y, then x): what the canvas paints before the full list arrives.
 */
export const CardsInputSchema = z
  .object({
    includeRemoved: z.boolean().default(false),
    first: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.firstCards, { message: `at most ${LIMITS.firstCards} cards` })
      .optional(),
  })
  .optional()
  .transform((input) => input ?? { includeRemoved: false, first: undefined });
export type CardsInput = z.input<typeof CardsInputSchema>;

export const MoveInputSchema = z.object({
  moves: z
    .array(z.object({ id: WorkspaceIdSchema, x: z.number().finite(), y: z.number().finite() }))
    .min(1, { message: "must move at least one workspace" })
    .max(LIMITS.moveBatch, { message: `at most ${LIMITS.moveBatch} moves per call` }),
});
export type MoveInput = z.input<typeof MoveInputSchema>;

export const SetCollapsedInputSchema = z.object({ id: WorkspaceIdSchema, collapsed: z.boolean() });
export const RemoveInputSchema = z.object({ id: WorkspaceIdSchema, cascade: z.boolean().default(false) });
export const EventsPageInputSchema = z.object({
  id: WorkspaceIdSchema,
  cursor: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const SecretSetInputSchema = z.object({
  id: WorkspaceIdSchema,
  key: SecretKeySchema,
  value: SecretValueSchema,
});
export const SecretDeleteInputSchema = z.object({ id: WorkspaceIdSchema, key: SecretKeySchema });

/** What the operator API returns for one workspace (dates as ISO strings; cents as numbers). */
export const WorkspaceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  tier: z.number(),
  status: WorkspaceStatusSchema,
  statusReason: z.string().nullable(),
  parentId: z.string().nullable(),
  forwardedTo: z.string().nullable(),
  awarenessNamespace: z.string(),
  runtime: z.string(),
  model: z.string(),
  external: z.boolean(),
  url: z.string().nullable(),
  lastHeartbeatAt: z.string().nullable(),
  lastErrorRate: z.number(),
  lastSampleError: z.string(),
  runtimeState: z.string(),
  activeTasks: z.number(),
  maxConcurrentTasks: z.number(),
  uptimeSeconds: z.number(),
  currentTask: z.string(),
  monthlySpend: z.number(),
  spendMonth: z.string().nullable(),
  budgetLimit: z.number().nullable(),
  overBudget: z.boolean(),
  pendingDirectives: z.array(DirectiveSchema),
  workspaceDir: z.string().nullable(),
  workspaceAccess: WorkspaceAccessSchema,
  x: z.number(),
  y: z.number(),
  collapsed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WorkspaceView = z.infer<typeof WorkspaceViewSchema>;

/**
 * What one canvas card shows (`workspace.cards`): the fleet's first paint carries only these;
 * everything else (model, url, directory, namespace, budget…) comes with `workspace.get` on demand.
 * Telemetry fields stay in so the details panel's live values keep ticking from the stream.
 */
export const CardViewSchema = WorkspaceViewSchema.pick({
  id: true,
  name: true,
  role: true,
  tier: true,
  status: true,
  statusReason: true,
  parentId: true,
  runtime: true,
  external: true,
  lastHeartbeatAt: true,
  lastErrorRate: true,
  lastSampleError: true,
  runtimeState: true,
  activeTasks: true,
  maxConcurrentTasks: true,
  uptimeSeconds: true,
  currentTask: true,
  monthlySpend: true,
  overBudget: true,
  x: true,
  y: true,
  collapsed: true,
  updatedAt: true,
});
export type CardView = z.infer<typeof CardViewSchema>;
