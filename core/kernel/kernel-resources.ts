type Close = () => void | Promise<void>;

/**
 * What lives as long as a kernel and closes with it: worker pools, connections, caches that core
 * parts or plugins start lazily. `kernel.resources`; from a task, the kernel is the root singleton
 * `KernelToken` of its service's site. They close when the kernel closes — after the services
 * have stopped and the plugins' close handlers ran, before the store closes — the newest first.
 */
export class KernelResources {
  readonly #shared = new Map<unknown, { value: unknown }>();
  readonly #closers = new Set<Close>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The resource kept under `key`: made by `create` on first use (the kernel must still be
   * open), closed by `close` with the kernel.
   */
  shared<T>(key: string | symbol | object, create: () => T, close?: (value: T) => void | Promise<void>): T {
    const found = this.#shared.get(key);
    if (found) return found.value as T;
    if (this.#closed) throw new Error(`the kernel is closed: cannot start ${String(key)}`);
    const value = create();
    this.#shared.set(key, { value });
    if (close) this.onClose(() => close(value));
    return value;
  }

  /** Runs `close` when the kernel closes; returns a function that unregisters it. */
  onClose(close: Close): () => void {
    if (this.#closed) throw new Error('the kernel is closed');
    // A function may be registered twice: wrap it so each registration is its own entry.
    const entry: Close = () => close();
    this.#closers.add(entry);
    return () => void this.#closers.delete(entry);
  }

  /** Closes everything, the newest first; a failing close is reported and the others still run. */
  async close(report: (error: unknown) => void): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closers = [...this.#closers].reverse();
    this.#closers.clear();
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        report(error);
      }
    }
    this.#shared.clear();
  }
}
