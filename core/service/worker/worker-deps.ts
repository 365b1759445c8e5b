import type { Logger } from 'winston';
import type { JobStore } from '../../store/job-store.js';
import type { Task, TaskContext } from '../../tasks/task.js';
import type { JobEventBus } from '../job-events.js';
import type { ServiceOptions } from '../service-options.js';

/**
 * What the worker side needs of its service: its address and its tasks. Its tasks get the
 * service itself as `context.service`.
 */
export interface WorkerService {
  readonly address: string;
  getTask(name: string): Task | undefined;
  taskNames(): string[];
}

/** Everything one service's worker side works with; the service hands it over when it is made. */
export interface WorkerDeps {
  service: WorkerService & TaskContext['service'];
  store: JobStore;
  /** Identifies this process to the store's leases. */
  workerId: string;
  logger: Logger;
  events: JobEventBus;
  options: ServiceOptions;
  clock: () => number;
}
