/** A service paused for every process (see core/fleet/fleet-control.ts), and since when (ms). */
export interface PausedService {
  service: string;
  since: number;
}

/** Called when a service was paused or resumed, by this process or any other; `null`: re-read all (a lost connection). */
export type ControlListener = (service: string | null) => void;

/** Control-change listeners of one store instance, called after the change, never inside it. */
export class ControlHub {
  readonly #listeners = new Set<ControlListener>();

  subscribe(listener: ControlListener): () => void {
    const entry: ControlListener = (service) => listener(service);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  changed(service: string | null): void {
    for (const listener of [...this.#listeners]) {
      queueMicrotask(() => {
        try {
          listener(service);
        } catch {}
      });
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
