/** What a workload asks of a system when it opens it. */
export interface OpenOptions {
  /** Jobs run at most this many at a time in the process (the workload's concurrency). */
  concurrency: number;
  /**
   * Jobs spread round robin over this many services (queues) sharing the one store, each worked by
   * its own loop; only for systems whose factory declares `services`.
   */
  services?: number;
}

/** What every queue under test offers the workloads. */
export interface QueueSystem {
  /** Row label, e.g. `remotetask (PostgreSQL)`. */
  readonly label: string;
  /** Where its jobs live. */
  readonly backend: 'postgres' | 'sqlite' | 'redis';
  /** Fresh storage (database dropped and recreated, new file, flushed Redis key space), then connect. */
  open(options: OpenOptions): Promise<void>;
  /** Enqueue one job (awaited: the job is stored when this resolves). */
  addOne(data: unknown): Promise<void>;
  /** Enqueue many jobs in one call of the system's bulk API. */
  addBatch(data: unknown[]): Promise<void>;
  /** Start processing; every task calls `probe.ran()` and returns what it returns (a promise while jobs wait). */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  /** Whether a job is not finished yet in the store (waiting or running). */
  anyUnfinished(): Promise<boolean>;
  /** Put `count` finished jobs straight into the store's tables (bulk SQL); absent when not comparable. */
  prefillFinished?(count: number): Promise<void>;
  /** Put `count` queued no-op jobs straight into the store's tables (bulk SQL, in id order after nothing else). */
  prefillQueued?(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface SystemFactory {
  label: string;
  backend: QueueSystem['backend'];
  /** A short id for results JSON. */
  id: string;
  create(): QueueSystem;
}
