/**
 * Specs tagged PGLITE also run in CI's second e2e leg, against the embedded PGlite default (the
 * database `npm run app` starts with): `playwright test --grep @pglite` without DATABASE_URL. A
 * subset, chosen to cover every kind of write and a real agent process, so CI stays fast.
 */
export const PGLITE = { tag: "@pglite" } as const;
