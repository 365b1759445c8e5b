import { EventEmitter } from 'node:events';
import type { JobStatus } from '../jobs/job.js';

export type JobEventType = 'added' | 'started' | 'progress' | 'completed' | 'failed' | 'retrying' | 'cancelled';

/** What happened to a job, as the event stream (SSE, dashboard, CLI) reports it. */
export interface JobEvent {
  type: JobEventType;
  /** The service's address, `site@Service`. */
  service: string;
  jobId: number;
  task: string;
  status: JobStatus;
  time: number;
  progress?: number;
  message?: string;
  error?: string;
}

/** The kernel's bus of job events; listeners filter by service themselves. */
export class JobEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open event stream: many are normal, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  emit(event: JobEvent): void {
    this.#emitter.emit('job', event);
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: (event: JobEvent) => void): () => void {
    this.#emitter.on('job', listener);
    return () => this.#emitter.off('job', listener);
  }
}
