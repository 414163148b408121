import { IdInputSchema, SecretDeleteInputSchema, SecretSetInputSchema } from "@molecule/contracts";
import { deleteSecret, listSecrets, setSecret } from "../services/secrets";
import { operatorProcedure, router } from "../trpc";

/** Secrets (SPEC §5): write-only values, readable keys. */
export const secretRouter = router({
  list: operatorProcedure.input(IdInputSchema).query(({ ctx, input }) => listSecrets(ctx.services, input.id)),
  set: operatorProcedure
    .input(SecretSetInputSchema)
    .mutation(({ ctx, input }) => setSecret(ctx.services, input.id, input.key, input.value)),
  delete: operatorProcedure
    .input(SecretDeleteInputSchema)
    .mutation(({ ctx, input }) => deleteSecret(ctx.services, input.id, input.key)),
});
