import type { Logger } from 'winston';
import type { JobStore } from '../../store/job-store.js';
import type { Token } from '../../registry/token.js';
import type { Task, TaskServiceHandle } from '../../tasks/task.js';
import type { JobEventBus } from '../job-events.js';
import type { ServiceOptions } from '../service-options.js';

/**
 * What the worker side needs of its service: its name and address (which its tasks see as
 * `context.service`), its tasks, and its site's lookup (`context.lookup`).
 */
export interface WorkerService extends TaskServiceHandle {
  getTask(name: string): Task | undefined;
  taskNames(): string[];
  readonly site: { lookup<T>(token: Token<T>, name?: string): T | undefined };
}

/** Everything one service's worker side works with; the service hands it over when it is made. */
export interface WorkerDeps {
  service: WorkerService;
  store: JobStore;
  /** Identifies this process to the store's leases. */
  workerId: string;
  logger: Logger;
  events: JobEventBus;
  options: ServiceOptions;
  clock: () => number;
}
