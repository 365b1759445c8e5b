import type { JobEventBus } from '../service/job-events.js';
import type { FinishedRuns } from '../store/process-registry.js';

const SECOND_MS = 1_000;
const WINDOW_SECONDS = 60;

/**
 * Counts the runs that ended in this process (completed, failed, retried), for its beat: in all,
 * and over the last minute in one-second buckets. O(1) per event, 60 numbers of memory; events
 * of other processes (they cross on PostgreSQL) are not counted, so each run counts once in the fleet.
 */
export class FinishedRunCounter {
  readonly #buckets = new Array<number>(WINDOW_SECONDS).fill(0);
  /** The second each bucket was last written in: a bucket of an older second counts as empty. */
  readonly #bucketSecond = new Array<number>(WINDOW_SECONDS).fill(-1);
  #total = 0;
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Counts this process's run ends (not a listener of the other processes' events); returns the function that stops counting. */
  attach(events: JobEventBus): () => void {
    return events.onOwn((event) => {
      if (event.type === 'completed' || event.type === 'failed' || event.type === 'retrying') this.add();
    });
  }

  add(): void {
    const second = Math.floor(this.#clock() / SECOND_MS);
    const slot = second % WINDOW_SECONDS;
    if (this.#bucketSecond[slot] !== second) {
      this.#bucketSecond[slot] = second;
      this.#buckets[slot] = 0;
    }
    this.#buckets[slot]++;
    this.#total++;
  }

  /** The counts now: the last minute is the 60 seconds up to and including the current one. */
  read(): FinishedRuns {
    const now = Math.floor(this.#clock() / SECOND_MS);
    let lastMinute = 0;
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      if (now - this.#bucketSecond[slot] < WINDOW_SECONDS) lastMinute += this.#buckets[slot];
    }
    return { total: this.#total, lastMinute };
  }
}
