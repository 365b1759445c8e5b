import type { WakeListener } from './job-store.js';

/** Wake-up listeners per service, called after the change, once per service per tick. */
export class WakeHub {
  private readonly listeners = new Map<string, Set<WakeListener>>();
  private readonly pending = new Set<string>();

  subscribe(service: string, listener: WakeListener): () => void {
    let set = this.listeners.get(service);
    if (!set) this.listeners.set(service, (set = new Set()));
    const mine = set;
    // Wrap so the same function subscribed twice unsubscribes independently.
    const entry: WakeListener = () => listener();
    mine.add(entry);
    return () => {
      mine.delete(entry);
    };
  }

  wake(service: string): void {
    if (!this.listeners.get(service)?.size) return;
    if (this.pending.size === 0) queueMicrotask(() => this.flush());
    this.pending.add(service);
  }

  clear(): void {
    this.listeners.clear();
    this.pending.clear();
  }

  private flush(): void {
    const services = [...this.pending];
    this.pending.clear();
    for (const service of services) {
      for (const listener of [...(this.listeners.get(service) ?? [])]) {
        // A wake-up is a hint; one listener's failure must not keep the others asleep.
        try {
          listener();
        } catch {}
      }
    }
  }
}
