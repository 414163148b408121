/** SPEC §4 [r2]: 10 failed sign-ins a minute from one address → 429 until the oldest ages out. */
export const SIGN_IN_FAILURES_PER_MINUTE = 10;
const WINDOW_MS = 60_000;
// Bounds the memory an attacker cycling addresses can make us hold.
const MAX_ADDRESSES = 10_000;

/** Failed sign-in attempts per client address over a sliding minute, in this process's memory. */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = SIGN_IN_FAILURES_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(address: string): number[] {
    const since = this.now() - WINDOW_MS;
    const kept = (this.failures.get(address) ?? []).filter((at) => at > since);
    if (kept.length > 0) this.failures.set(address, kept);
    else this.failures.delete(address);
    return kept;
  }

  /** Seconds until this address may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit]!;
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - this.now()) / 1000));
  }

  fail(address: string) {
    if (!this.failures.has(address) && this.failures.size >= MAX_ADDRESSES) {
      for (const key of this.failures.keys()) this.recent(key);
      // Still full of live entries: forget the oldest address rather than grow without bound.
      if (this.failures.size >= MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
    }
    this.failures.set(address, [...this.recent(address), this.now()]);
  }

  succeed(address: string) {
    this.failures.delete(address);
  }
}
