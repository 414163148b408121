/** `base` ± `ratio` (default 10%), so a fleet of agents does not heartbeat in lockstep. */
export function jitter(ms: number, ratio = 0.1, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - ratio + 2 * ratio * random())));
}

/** Exponential backoff after `failures` consecutive failures: base·2^(n-1), capped, jittered. */
export function backoffDelay(
  failures: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return jitter(exp, 0.2, random);
}
