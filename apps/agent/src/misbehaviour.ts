/**
 * How the demo runtime can be told to misbehave (SPEC §7), from the environment at start or from
 * POST /control later: wedge (tasks fail with the SDK error that means "wedged"), a raised error
 * rate, a crash, or a hang (alive, no heartbeats).
 */
export const WEDGE_ERROR = "Control request timeout: initialize";

export type ControlAction = "wedge" | "error_rate" | "crash" | "hang" | "heal";

export interface MisbehaviourHooks {
  crash(reason: string): void;
  hang(): void;
}

export class Misbehaviour {
  /** When set, every task fails with WEDGE_ERROR: the runtime beside the heartbeat is dead. */
  wedged = false;
  errorRate = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly hooks: MisbehaviourHooks,
    private readonly random: () => number = Math.random,
  ) {}

  /** DEMO_WEDGE_AFTER_SECONDS, DEMO_ERROR_RATE, DEMO_CRASH_AFTER_SECONDS, DEMO_HANG_AFTER_SECONDS. */
  applyEnv(env: NodeJS.ProcessEnv): void {
    const seconds = (name: string) => {
      const raw = env[name];
      if (raw === undefined || raw === "") return null;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0)
        throw new Error(`${name} must be a number of seconds ≥ 0, got "${raw}"`);
      return n;
    };
    const rate = env.DEMO_ERROR_RATE;
    if (rate !== undefined && rate !== "") this.control("error_rate", Number(rate));
    const at = (name: string, action: ControlAction) => {
      const s = seconds(name);
      if (s === null) return;
      if (s === 0) this.control(action);
      else this.timers.push(setTimeout(() => this.control(action), s * 1000).unref());
    };
    at("DEMO_WEDGE_AFTER_SECONDS", "wedge");
    at("DEMO_CRASH_AFTER_SECONDS", "crash");
    at("DEMO_HANG_AFTER_SECONDS", "hang");
  }

  /** Applies one action; throws on a bad value (the control endpoint answers 400). */
  control(action: ControlAction, value?: unknown): void {
    switch (action) {
      case "wedge":
        this.wedged = true;
        return;
      case "error_rate": {
        const n = typeof value === "number" ? value : Number(value);
        if (!Number.isFinite(n) || n < 0 || n > 1)
          throw new Error("error_rate needs a value between 0 and 1");
        this.errorRate = n;
        return;
      }
      case "crash":
        this.hooks.crash(typeof value === "string" && value ? value : "Simulated crash (demo control)");
        return;
      case "hang":
        this.hooks.hang();
        return;
      case "heal":
        // What a runtime restart does in-process: a fresh runtime is neither wedged nor failing.
        this.wedged = false;
        this.errorRate = 0;
        return;
    }
  }

  /** Called at the start of every task: throws the failure this runtime is configured to have. */
  check(): void {
    if (this.wedged) throw new Error(WEDGE_ERROR);
    if (this.errorRate > 0 && this.random() < this.errorRate) {
      throw new Error(`Simulated tool failure (error rate ${this.errorRate})`);
    }
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

export function isControlAction(value: unknown): value is ControlAction {
  return (
    value === "wedge" || value === "error_rate" || value === "crash" || value === "hang" || value === "heal"
  );
}
