import type { Logger } from 'winston';
import type { TaskService } from '../service/task-service.js';
import type { JobStore } from '../store/job-store.js';
import { type ProcessOrders, processControlKey } from '../store/process-registry.js';

export interface FleetControlDeps {
  store: JobStore;
  logger: Logger;
  services: () => TaskService[];
  /** This process's worker id: a control change under its key is an order for it. */
  workerId: string;
  /** Records a beat now; its answer comes back through {@link FleetControl.applyOrders}. */
  beat: () => Promise<void>;
}

/**
 * Keeps this process's services in step with the fleet-wide pauses the store holds: read at
 * start, and again whenever the store says a pause changed (PostgreSQL: a NOTIFY from whichever
 * process changed it, so every process stops claiming within a round trip — no polling).
 * An order for this process (drain) is read by beating at once; every beat reads it again, so an
 * order whose notification was missed holds within a third of a lease.
 */
const PROCESS_KEY_PREFIX = processControlKey('');

export class FleetControl {
  readonly #deps: FleetControlDeps;
  #unsubscribe?: () => void;
  #refreshing: Promise<void> = Promise.resolve();

  constructor(deps: FleetControlDeps) {
    this.#deps = deps;
  }

  /** Subscribes and applies the stored pauses; resolves once they are applied. */
  start(): Promise<void> {
    this.#unsubscribe ??= this.#deps.store.onControl((key) => {
      if (key === null || key === processControlKey(this.#deps.workerId)) void this.#deps.beat();
      if (key === null || !key.startsWith(PROCESS_KEY_PREFIX)) void this.refresh();
    });
    return this.refresh();
  }

  /** Applies what the registry answered to a beat: a drained process's services claim nothing. */
  applyOrders(orders: ProcessOrders): void {
    for (const service of this.#deps.services()) {
      if (service.draining === orders.draining) continue;
      service.setDraining(orders.draining);
      this.#deps.logger.info(`service ${service.address} ${orders.draining ? 'drains in this process: it finishes its jobs and claims none' : 'claims again in this process'}`);
    }
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
