import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dataDir } from "@molecule/db";

export interface Sealed {
  nonce: string;
  ciphertext: string;
  tag: string;
}

/**
 * Names a key without revealing it (an HMAC of a fixed label under the key): stored with each
 * sealed value and in the key check row, so a server started with another key can tell.
 */
export function secretsKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("molecule secrets key id").digest("hex").slice(0, 16);
}

/** AES-256-GCM with a random 12-byte nonce per value (SPEC §5), tagged with the key's id. */
export function seal(key: Buffer, plaintext: string): Sealed & { keyId: string } {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    nonce: nonce.toString("base64"),
    ciphertext: ciphertext.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    keyId: secretsKeyId(key),
  };
}

export function open(key: Buffer, sealed: Sealed): string {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.nonce, "base64"));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed.ciphertext, "base64")),
    decipher.final(),
  ]).toString("utf8");
}

function parseKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new Error("SECRETS_ENCRYPTION_KEY must be the base64 of exactly 32 bytes.");
  return key;
}

/**
 * The secrets key: SECRETS_ENCRYPTION_KEY when set; otherwise (embedded setups) a key file created
 * once with mode 0600 next to the data directory, so secrets survive restarts.
 */
export function loadSecretsKey(
  configured: string | undefined,
  keyFile = join(dataDir(), "secrets.key"),
): Buffer {
  if (configured) return parseKey(configured);
  if (existsSync(keyFile)) return parseKey(readFileSync(keyFile, "utf8"));
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  chmodSync(keyFile, 0o600);
  return parseKey(readFileSync(keyFile, "utf8"));
}
