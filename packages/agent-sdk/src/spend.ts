/** Spend in cents for the current calendar month (UTC), as the platform counts it (SPEC §2). */
export class SpendMeter {
  private month = monthOf(new Date());
  private cents = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Adds to this month's spend (cents). Non-finite or negative amounts are ignored. */
  add(cents: number): void {
    if (!Number.isFinite(cents) || cents <= 0) return;
    this.roll();
    this.cents += cents;
  }

  /** Replaces this month's total (e.g. from the model provider's billing API). */
  set(cents: number): void {
    if (!Number.isFinite(cents) || cents < 0) return;
    this.roll();
    this.cents = cents;
  }

  /** This month's total in whole cents. */
  total(): number {
    this.roll();
    return Math.round(this.cents);
  }

  private roll() {
    const month = monthOf(this.now());
    if (month !== this.month) {
      this.month = month;
      this.cents = 0;
    }
  }
}

function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}
