import type { Logger } from 'winston';
import type { TaskService } from '../service/task-service.js';
import type { JobStore } from '../store/job-store.js';

export interface FleetControlDeps {
  store: JobStore;
  logger: Logger;
  services: () => TaskService[];
}

/**
 * Keeps this process's services in step with the fleet-wide pauses the store holds: read at
 * start, and again whenever the store says a pause changed (PostgreSQL: a NOTIFY from whichever
 * process changed it, so every process stops claiming within a round trip — no polling).
 */
export class FleetControl {
  readonly #deps: FleetControlDeps;
  #unsubscribe?: () => void;
  #refreshing: Promise<void> = Promise.resolve();

  constructor(deps: FleetControlDeps) {
    this.#deps = deps;
  }

  /** Subscribes and applies the stored pauses; resolves once they are applied. */
  start(): Promise<void> {
    this.#unsubscribe ??= this.#deps.store.onControl(() => void this.refresh());
    return this.refresh();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Reads the paused services and applies them to every service here (one refresh at a time, in order). */
  refresh(): Promise<void> {
    this.#refreshing = this.#refreshing.then(async () => {
      try {
        const paused = new Set((await this.#deps.store.pausedServices()).map((entry) => entry.service));
        for (const service of this.#deps.services()) {
          const now = paused.has(service.address);
          if (now === service.pausedEverywhere) continue;
          service.setPausedEverywhere(now);
          this.#deps.logger.info(`service ${service.address} ${now ? 'paused for every process' : 'resumed for every process'}`);
        }
      } catch (error) {
        this.#deps.logger.warn(`reading the fleet-wide pauses failed: ${(error as Error).message}`);
      }
    });
    return this.#refreshing;
  }
}
