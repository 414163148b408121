import { isOperator } from "@molecule/api";
import { getServer } from "@molecule/api/server";
import { headers } from "next/headers";

/**
 * Whether this page request comes from a signed-in operator (a live session cookie, SPEC §4 [r2]).
 * The same check the API makes: pages and API never disagree about who is signed in.
 */
export async function signedIn(): Promise<boolean> {
  const { services } = await getServer();
  return isOperator(services, new Headers(await headers()));
}
