/**
 * What was asked for in the current turn of the event loop, handed over once the turn is done: the
 * first push schedules `onTurnEnd` (setImmediate), which takes everything pushed until then.
 */
export class SameTurnQueue<T> {
  private pending: T[] = [];

  constructor(private readonly onTurnEnd: () => void) {}

  push(item: T): void {
    this.pending.push(item);
    if (this.pending.length === 1) setImmediate(this.onTurnEnd);
  }

  /** Everything pushed so far, in order; the queue is empty after. */
  take(): T[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
