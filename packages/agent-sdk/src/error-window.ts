/**
 * The error rate over a rolling window (SPEC §7): the last `maxSamples` task outcomes, and none
 * older than `maxAgeMs`. Old failures age out, so an agent that recovers reports it.
 */
export interface ErrorWindowOptions {
  maxSamples?: number;
  maxAgeMs?: number;
  now?: () => number;
}

interface Sample {
  at: number;
  error: string | null;
}

export class ErrorWindow {
  private samples: Sample[] = [];
  private readonly maxSamples: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: ErrorWindowOptions = {}) {
    this.maxSamples = options.maxSamples ?? 20;
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  recordSuccess(): void {
    this.push({ at: this.now(), error: null });
  }

  recordFailure(message: string): void {
    this.push({ at: this.now(), error: message || "task failed" });
  }

  /** Failures / outcomes in the window, in [0, 1]; 0 when there were no tasks. */
  rate(): number {
    const live = this.live();
    if (live.length === 0) return 0;
    return live.filter((s) => s.error !== null).length / live.length;
  }

  /** The most recent failure still in the window, or "". */
  lastError(): string {
    const live = this.live();
    for (let i = live.length - 1; i >= 0; i--) {
      const error = live[i]!.error;
      if (error !== null) return error;
    }
    return "";
  }

  clear(): void {
    this.samples = [];
  }

  private push(sample: Sample) {
    this.samples.push(sample);
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  private live(): Sample[] {
    const cutoff = this.now() - this.maxAgeMs;
    this.samples = this.samples.filter((s) => s.at >= cutoff);
    return this.samples;
  }
}
