export type WindowReplay<T> = Array<{ sequence: number; item: T }>;

/**
 * The last `size` items of a numbered stream, in a ring: `after(n)` answers what came after item
 * `n` while it is still held and no gap lies between, in time linear in what it returns.
 */
export class EventWindow<T> {
  readonly #items: Array<T | undefined>;
  /** The sequence number of the last item added; the first is 1. */
  #last = 0;
  /** Replays must start after this sequence number (a gap, or what fell out of the ring). */
  #gapAt = 0;

  constructor(readonly size: number) {
    this.#items = new Array<T | undefined>(size);
  }

  /** The sequence number of the last item added (0 before the first). */
  get last(): number {
    return this.#last;
  }

  add(item: T): number {
    this.#last += 1;
    this.#items[this.#last % this.size] = item;
    return this.#last;
  }

  gap(): void {
    this.#gapAt = this.#last;
  }

  after(sequence: number): WindowReplay<T> | undefined {
    const oldestHeld = Math.max(1, this.#last - this.size + 1);
    if (sequence > this.#last || sequence < this.#gapAt || sequence < oldestHeld - 1) return undefined;
    const replay: WindowReplay<T> = [];
    for (let next = sequence + 1; next <= this.#last; next++) replay.push({ sequence: next, item: this.#items[next % this.size] as T });
    return replay;
  }
}
