/** Named locks within one process: callers of one name run one after another, in call order. */
export class LocalLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.#tails.set(name, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }

  /** Runs `fn` under the lock only when no caller holds it or waits for it; otherwise answers `{ ran: false }` at once. */
  async tryRun<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.#tails.has(name)) return { ran: false };
    return { ran: true, value: await this.run(name, fn) };
  }
}
