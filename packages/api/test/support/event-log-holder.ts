import { createDb, type DbHandle } from "@molecule/db";
import { lockEventLog } from "../../src/services/events";

/**
 * Another connection holding the event-log lock, as a long event write would; resolves once it
 * holds it. `release()` lets it go and closes the connection.
 */
export async function holdEventLog(url: string): Promise<{ other: DbHandle; release(): Promise<void> }> {
  const other = await createDb(url);
  let letGo: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = other.db.transaction(async (tx) => {
    await lockEventLog(tx);
    locked();
    await held;
  });
  await isLocked;
  return {
    other,
    async release() {
      letGo();
      await holder;
      await other.close();
    },
  };
}
