import type { JobStatus } from '../jobs/job.js';

/**
 * A blocked job that its parents' ends changed (core/store/job-flows.ts), inside the store (a
 * trigger on the SQL stores): released to the queue when the last one ended, or cancelled when one
 * failed. No process made these transitions itself, so the store reports them.
 */
export interface FlowChange {
  service: string;
  jobId: number;
  task: string;
  status: Extract<JobStatus, 'queued' | 'cancelled'>;
  time: number;
  /** Why it was cancelled. */
  error: string | null;
}

export type FlowChangeListener = (change: FlowChange) => void;

/**
 * The flow-change listeners of one store instance. Changes are delivered on the next microtask,
 * after the write that made them, in order; `stillTrue` (when given) drops one that a rolled-back
 * transaction never made.
 */
export class FlowChangeHub {
  readonly #listeners = new Set<FlowChangeListener>();
  #pending: FlowChange[] = [];

  constructor(private readonly stillTrue?: (change: FlowChange) => boolean) {}

  subscribe(listener: FlowChangeListener): () => void {
    const entry: FlowChangeListener = (change) => listener(change);
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  changed(change: FlowChange): void {
    if (this.#listeners.size === 0) return;
    if (this.#pending.length === 0) queueMicrotask(() => this.#flush());
    this.#pending.push(change);
  }

  /** Drops the pending changes of these jobs: a write that reports them itself (cancelAll) made them. */
  forget(jobIds: Iterable<number>): void {
    if (this.#pending.length === 0) return;
    const ids = new Set(jobIds);
    this.#pending = this.#pending.filter((change) => !ids.has(change.jobId));
  }

  clear(): void {
    this.#listeners.clear();
    this.#pending = [];
  }

  #flush(): void {
    const changes = this.#pending;
    this.#pending = [];
    for (const change of changes) {
      if (this.stillTrue && !this.stillTrue(change)) continue;
      for (const listener of [...this.#listeners]) {
        // One listener's failure must not keep the others from hearing of it.
        try {
          listener(change);
        } catch {}
      }
    }
  }
}

/** A change as the PostgreSQL trigger announces it (JSON); undefined for anything else (its resync marker). */
export function parseFlowChange(payload: string): FlowChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const c = value as Partial<FlowChange> | null;
  if (typeof c !== 'object' || c === null) return undefined;
  if (typeof c.service !== 'string' || !Number.isSafeInteger(c.jobId) || typeof c.task !== 'string') return undefined;
  if ((c.status !== 'queued' && c.status !== 'cancelled') || typeof c.time !== 'number') return undefined;
  return { service: c.service, jobId: c.jobId!, task: c.task, status: c.status, time: c.time, error: typeof c.error === 'string' ? c.error : null };
}
