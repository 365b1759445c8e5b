import type { CancelListener, WakeListener } from './job-store.js';
import { CancelHub } from './cancel-hub.js';
import { LocalLocks } from './local-locks.js';
import { WakeHub } from './wake-hub.js';

/**
 * Wake-ups, cancel requests and locks of a store that one process holds (memory, SQLite): they
 * never leave the process, so hubs and locks within it are enough.
 */
export abstract class SingleProcessSignals {
  protected readonly wakes = new WakeHub();
  protected readonly cancels = new CancelHub();
  private readonly locks = new LocalLocks();

  onWake(service: string, listener: WakeListener): () => void {
    return this.wakes.subscribe(service, listener);
  }

  onCancelRequested(listener: CancelListener): () => void {
    return this.cancels.subscribe(listener);
  }

  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  /** Drops every subscription (the store closes). */
  protected clearSignals(): void {
    this.wakes.clear();
    this.cancels.clear();
  }
}
