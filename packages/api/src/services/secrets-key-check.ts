import { count, type Database, eq, isNull, secretsKeyCheck, workspaceSecrets } from "@molecule/db";
import { open, secretsKeyId } from "./secrets-crypto";

/** The server was started with a key that cannot read this database's secrets (SPEC §5 [r2]). */
export class SecretsKeyError extends Error {}

const SET_IT = "Set SECRETS_ENCRYPTION_KEY to the key they were encrypted with (base64 of 32 bytes)";

/**
 * Called once at server start, after migrations: refuses to start (SecretsKeyError naming
 * SECRETS_ENCRYPTION_KEY) instead of failing later on every decrypt, when
 * - the key check row names another key than this server's, or
 * - Postgres holds secrets and SECRETS_ENCRYPTION_KEY is not set (a key file on one host is not
 *   the key of a database that several hosts share), or
 * - values from before the key check cannot be opened with this key.
 * A database without secrets simply records this server's key.
 */
export async function checkSecretsKey(
  db: Database,
  key: Buffer,
  { configured, postgres }: { configured: boolean; postgres: boolean },
): Promise<void> {
  const keyId = secretsKeyId(key);
  const [{ secrets } = { secrets: 0 }] = await db.select({ secrets: count() }).from(workspaceSecrets);
  if (secrets === 0) {
    await db
      .insert(secretsKeyCheck)
      .values({ id: 1, keyId })
      .onConflictDoUpdate({ target: secretsKeyCheck.id, set: { keyId } });
    return;
  }
  if (postgres && !configured)
    throw new SecretsKeyError(
      `SECRETS_ENCRYPTION_KEY is not set, but this Postgres database holds ${secrets} encrypted secret(s). ${SET_IT}.`,
    );
  const [check] = await db.select().from(secretsKeyCheck).where(eq(secretsKeyCheck.id, 1));
  if (check && check.keyId !== keyId) throw mismatch(check.keyId, keyId);
  if (!check) {
    // Secrets from before the key check: this key must open them before it is recorded as theirs.
    const [sample] = await db.select().from(workspaceSecrets).limit(1);
    if (sample?.keyId && sample.keyId !== keyId) throw mismatch(sample.keyId, keyId);
    try {
      if (sample) open(key, sample);
    } catch {
      throw new SecretsKeyError(
        `This server's secrets key (id ${keyId}) cannot decrypt the stored secrets. ${SET_IT}.`,
      );
    }
    await db.insert(secretsKeyCheck).values({ id: 1, keyId }).onConflictDoNothing();
    const [recorded] = await db.select().from(secretsKeyCheck).where(eq(secretsKeyCheck.id, 1));
    if (recorded && recorded.keyId !== keyId) throw mismatch(recorded.keyId, keyId);
  }
  await db.update(workspaceSecrets).set({ keyId }).where(isNull(workspaceSecrets.keyId));
}

function mismatch(stored: string, ours: string) {
  return new SecretsKeyError(
    `The secrets in this database were encrypted with another key (id ${stored}); this server's key has id ${ours}. ${SET_IT}.`,
  );
}
