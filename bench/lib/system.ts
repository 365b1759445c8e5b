/** What every queue under test offers the workloads. */
export interface QueueSystem {
  /** Row label, e.g. `remotetask (PostgreSQL)`. */
  readonly label: string;
  /** Where its jobs live. */
  readonly backend: 'postgres' | 'sqlite' | 'redis';
  /** Fresh storage (database dropped and recreated, new file, flushed Redis DB), then connect; workers will run at `concurrency`. */
  open(concurrency: number): Promise<void>;
  /** Enqueue one job (awaited: the job is stored when this resolves). */
  addOne(data: unknown): Promise<void>;
  /** Enqueue many jobs in one call of the system's bulk API. */
  addBatch(data: unknown[]): Promise<void>;
  /** Start processing at the concurrency given to open(); the no-op task calls `probe.ran()`. */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  /** Whether a job is not finished yet in the store (waiting or running). */
  anyUnfinished(): Promise<boolean>;
  /** Put `count` finished jobs straight into the store's tables (bulk SQL); absent when not comparable. */
  prefillFinished?(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface SystemFactory {
  label: string;
  backend: QueueSystem['backend'];
  /** A short id for results JSON. */
  id: string;
  create(): QueueSystem;
}
