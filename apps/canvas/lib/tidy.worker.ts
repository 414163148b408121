import ELK from "elkjs/lib/elk.bundled.js";
import { type TidyCard, tidyMoves } from "./tidy";

/**
 * Tidy's layout off the main thread: ELK packs 5,000 cards in seconds, which would freeze the
 * canvas. The bundled ELK runs inside this worker (its own "worker" is a same-thread shim here).
 */
const elk = new ELK();

export interface TidyRequest {
  cards: TidyCard[];
  rootId: string | null;
}

// Assigned after the import: elk.bundled.js sets self.onmessage to its own dispatcher in a worker.
self.onmessage = async (event: MessageEvent<TidyRequest>) => {
  try {
    const moves = await tidyMoves(elk, event.data.cards, event.data.rootId);
    self.postMessage({ moves });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
