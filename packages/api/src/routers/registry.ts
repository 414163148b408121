import {
  CheckAccessInputSchema,
  HeartbeatInputSchema,
  RegisterInputSchema,
  UpdateCardInputSchema,
} from "@molecule/contracts";
import { accessFor, updateAgentCard } from "../services/agent-card";
import { assertAgentRate } from "../services/rate-limit";
import { recordHeartbeat, registerAgent } from "../services/registry";
import type { Services } from "../services/services";
import { agentProcedure, assertSelf, authenticateAgent, publicProcedure, router } from "../trpc";

/**
 * Tells the sweeper a workspace is being heard while its write is in flight, and whether the
 * write failed on the database, so a slow or failing database never reads as agent silence.
 */
async function witnessed<T>(services: Services, workspaceId: string, work: () => Promise<T>): Promise<T> {
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

/** Agent-facing procedures (SPEC §3); the same services back the snake_case wire endpoints. */
export const registryRouter = router({
  register: agentProcedure.input(RegisterInputSchema).mutation(async ({ ctx, input }) => {
    assertSelf(ctx, input.id);
    return witnessed(ctx.services, input.id, () =>
      registerAgent(ctx.services, input.id, input, ctx.agentTokenHash),
    );
  }),

  heartbeat: agentProcedure.input(HeartbeatInputSchema).mutation(async ({ ctx, input }) => {
    assertSelf(ctx, input.workspaceId);
    return witnessed(ctx.services, input.workspaceId, () =>
      recordHeartbeat(ctx.services, input.workspaceId, input, ctx.agentTokenHash),
    );
  }),

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
