import type { CancelListener } from './job-store.js';

/**
 * Cancel-request listeners of one store instance. Requests are delivered after the write that
 * recorded them, in the order they were recorded, once per listener per request.
 */
export class CancelHub {
  private readonly listeners = new Set<CancelListener>();
  private pending: { id: number; service: string }[] = [];

  subscribe(listener: CancelListener): () => void {
    // Wrap so the same function subscribed twice unsubscribes independently.
    const entry: CancelListener = (job) => listener(job);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Queues a request for delivery on the next microtask. */
  requested(id: number, service: string): void {
    if (this.listeners.size === 0) return;
    if (this.pending.length === 0) queueMicrotask(() => this.flush());
    this.pending.push({ id, service });
  }

  clear(): void {
    this.listeners.clear();
    this.pending = [];
  }

  private flush(): void {
    const jobs = this.pending;
    this.pending = [];
    for (const job of jobs) {
      for (const listener of [...this.listeners]) {
        // One listener's failure must not keep the others from hearing of the cancel.
        try {
          listener({ id: job.id, service: job.service });
        } catch {}
      }
    }
  }
}
