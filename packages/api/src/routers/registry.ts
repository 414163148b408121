import {
  CheckAccessInputSchema,
  type Heartbeat,
  HeartbeatInputSchema,
  RegisterInputSchema,
  UpdateCardInputSchema,
} from "@molecule/contracts";
import { accessFor, updateAgentCard } from "../services/agent-card";
import { assertAgentRate } from "../services/rate-limit";
import { registerAgent } from "../services/registry";
import type { Services } from "../services/services";
import {
  agentProcedure,
  agentTokenProcedure,
  assertSelf,
  authenticateAgent,
  publicProcedure,
  router,
} from "../trpc";

/**
 * Tells the sweeper a workspace is being heard while its write is in flight, and whether the
 * write failed on the database, so a slow or failing database never reads as agent silence.
 */
export async function witnessed<T>(
  services: Services,
  workspaceId: string,
  work: () => Promise<T>,
): Promise<T> {
  const done = services.liveness?.hearing(workspaceId);
  try {
    const result = await work();
    done?.();
    return result;
  } catch (error) {
    done?.(error);
    throw error;
  }
}

/** One validated heartbeat into the group commit; the wire endpoint calls this too. */
export function ingestHeartbeat(services: Services, tokenHash: string, input: Heartbeat) {
  return witnessed(services, input.workspaceId, () => services.heartbeats.submit(tokenHash, input));
}

/** Agent-facing procedures (SPEC §3); the same services back the snake_case wire endpoints. */
export const registryRouter = router({
  register: agentProcedure.input(RegisterInputSchema).mutation(async ({ ctx, input }) => {
    assertSelf(ctx, input.id);
    return witnessed(ctx.services, input.id, () =>
      registerAgent(ctx.services, input.id, input, ctx.agentTokenHash),
    );
  }),

  // The token check, the compare-and-set and the answer are one batched statement (group commit).
  heartbeat: agentTokenProcedure
    .input(HeartbeatInputSchema)
    .mutation(({ ctx, input }) => ingestHeartbeat(ctx.services, ctx.agentTokenHash, input)),

  updateCard: agentProcedure.input(UpdateCardInputSchema).mutation(async ({ ctx, input }) => {
    assertSelf(ctx, input.workspaceId);
    await updateAgentCard(ctx.services, input.workspaceId, input.agentCard);
    return { ok: true as const };
  }),

  /**
   * Answered for operators about any pair, and for an agent only about its own workspace as the
   * caller (SPEC §3 [r2]): otherwise any token holder could map the whole org.
   */
  checkAccess: publicProcedure.input(CheckAccessInputSchema).query(async ({ ctx, input }) => {
    if (!ctx.operator) {
      assertAgentRate(ctx.services, ctx.headers);
      const agent = await authenticateAgent(ctx);
      assertSelf({ agentWorkspaceId: agent.workspaceId }, input.callerId);
    }
    return accessFor(ctx.services, input.callerId, input.targetId);
  }),
});
