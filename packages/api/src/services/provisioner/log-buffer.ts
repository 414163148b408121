import type { Readable } from "node:stream";
import type { LogLine } from "../services";

const MAX_LINE = 4_096;

/**
 * The last `max` lines a workspace's processes printed (SPEC §7: bounded, viewable on the canvas),
 * kept across restarts so the lines before a crash are still there after it.
 */
export class LogBuffer {
  private lines: LogLine[] = [];

  constructor(private readonly max = 500) {}

  push(stream: LogLine["stream"], line: string): void {
    const text = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
    this.lines.push({ at: new Date().toISOString(), stream, line: text });
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  /** Splits a stream into lines (a partial last line is kept until the next chunk or the end). */
  follow(stream: "stdout" | "stderr", source: Readable): void {
    let partial = "";
    source.setEncoding("utf8");
    source.on("data", (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? "";
      if (partial.length > MAX_LINE) {
        parts.push(partial);
        partial = "";
      }
      for (const line of parts) this.push(stream, line);
    });
    source.on("end", () => {
      if (partial) this.push(stream, partial);
      partial = "";
    });
  }

  /** The last non-empty stderr line, the best one-line reason a process died. */
  lastStderr(): string {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i]!;
      if (l.stream === "stderr" && l.line.trim() !== "") return l.line.trim();
    }
    return "";
  }

  snapshot(): LogLine[] {
    return this.lines.slice();
  }
}
