/**
 * The outage log on its own (a clock and a database answer the test controls): one warning when
 * requests start being refused, then at most one line per period with the count refused meanwhile,
 * and one line once the database answers again.
 */
import { describe, expect, it } from "vitest";
import { DatabaseOutageLog } from "../src/services/database-outage";
import { waitFor } from "./helpers";

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ level, fields, msg });
  return { lines, log: { warn: at("warn"), info: at("info") } as never };
}

describe("DatabaseOutageLog", () => {
  it("1,000 refusals over 25 s: one warning, one line per 10 s with its count, one when it is back", async () => {
    const { lines, log } = recorder();
    let now = 0;
    let up = false;
    const outage = new DatabaseOutageLog(
      log,
      async () => {
        if (!up) throw new Error("connect ECONNREFUSED");
      },
      { everyMs: 10_000, probeMs: 5, now: () => now },
    );
    try {
      const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      for (let i = 0; i < 1_000; i++) {
        now = i * 25; // 25 s in all
        outage.refused(cause);
      }
      expect(outage.down).toBe(true);
      expect(lines.map((l) => l.msg)).toEqual([
        "database unreachable: answering 503 until it is back",
        "database still unreachable",
        "database still unreachable",
      ]);
      expect(lines[0]).toMatchObject({ level: "warn", fields: { err: cause } });
      expect(lines[1]?.fields).toEqual({ refused: 400, downForMs: 10_000 });
      expect(lines[2]?.fields).toEqual({ refused: 400, downForMs: 20_000 });

      up = true;
      await waitFor(async () => !outage.down, { what: "the probe to see the database back" });
      expect(lines.at(-1)).toMatchObject({
        level: "info",
        msg: "database reachable again",
        fields: { refused: 1_000, downMs: 24_975 },
      });
      // A new outage is a new story: its own first warning.
      outage.refused(cause);
      expect(lines.filter((l) => l.msg.startsWith("database unreachable"))).toHaveLength(2);
    } finally {
      outage.stop();
    }
  });
});
