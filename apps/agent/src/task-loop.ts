/**
 * A small stream of background work, so the demo always has active tasks and a current task to
 * report, and so a wedge or a raised error rate shows up in its heartbeats without any traffic.
 */
export interface TaskLoopOptions {
  intervalMs: number;
  maxConcurrent: number;
  minMs: number;
  maxMs: number;
  active: () => number;
  run: (name: string, durationMs: number) => Promise<void>;
}

const CHORES = [
  "Summarising the inbox",
  "Triaging issue",
  "Drafting release notes",
  "Reviewing pull request",
  "Indexing docs",
];

export class TaskLoop {
  private timer: NodeJS.Timeout | null = null;
  private n = 0;

  constructor(private readonly options: TaskLoopOptions) {}

  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick() {
    if (this.options.active() >= this.options.maxConcurrent) return;
    this.n++;
    const name = `${CHORES[this.n % CHORES.length]} #${this.n}`;
    const { minMs, maxMs } = this.options;
    const duration = Math.round(minMs + Math.random() * Math.max(0, maxMs - minMs));
    // Failures are counted by the SDK's task wrapper; the loop itself just carries on.
    this.options.run(name, duration).catch(() => {});
  }
}
