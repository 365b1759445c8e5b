import { Sidequest } from 'sidequest';
import { freshDatabase } from '../lib/pg-admin.js';
import { freshSqliteFile, removeSqliteFile } from '../lib/sqlite-file.js';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { BenchNoopJob } from './sidequest-job.js';

const QUEUE = 'noop';

export interface SidequestSettings {
  /** `jobPollingInterval` (ms): how long its dispatcher sleeps when a poll found no job (default 100). */
  pollMs: number;
}

export const SIDEQUEST_BEST: SidequestSettings = { pollMs: 10 };

/**
 * Sidequest through its API (`Sidequest.configure`, `start`, `build(…).enqueue`), in this process:
 * `fork: false` and `runner: 'inline'` (its documented in-process mode: no child process, no
 * worker threads, so its task reaches this process's probe), the queue and the engine at the
 * workload's concurrency, its stale-job and cleanup routines off, no dashboard.
 * Sidequest is one engine per process (static), so only one instance may be open at a time.
 */
export class SidequestSystem implements QueueSystem {
  readonly backend: 'postgres' | 'sqlite';
  readonly label: string;
  #config?: Parameters<typeof Sidequest.start>[0];
  #file = '';
  #started = false;
  /** Configured and not stopped: Sidequest.stop() is what clears its engine for the next open. */
  #configured = false;

  constructor(
    private readonly where: { kind: 'postgres'; database: string } | { kind: 'sqlite'; dir: string },
    private readonly settings: SidequestSettings = SIDEQUEST_BEST,
  ) {
    this.backend = where.kind;
    this.label = `Sidequest (${where.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`;
  }

  async open({ concurrency }: OpenOptions): Promise<void> {
    let backend: { driver: '@sidequest/postgres-backend' | '@sidequest/sqlite-backend'; config: string | { connection: string; pool: { min: number; max: number } } };
    if (this.where.kind === 'postgres') {
      const url = await freshDatabase(this.where.database);
      backend = { driver: '@sidequest/postgres-backend', config: { connection: url, pool: { min: 0, max: Math.max(10, concurrency + 2) } } };
    } else {
      this.#file = freshSqliteFile(this.where.dir, 'sidequest.sqlite');
      backend = { driver: '@sidequest/sqlite-backend', config: this.#file };
    }
    this.#config = {
      backend,
      queues: [{ name: QUEUE, concurrency }],
      maxConcurrentJobs: concurrency,
      fork: false,
      runner: 'inline',
      jobPollingInterval: this.settings.pollMs,
      releaseStaleJobsIntervalMin: false,
      cleanupFinishedJobsIntervalMin: false,
      gracefulShutdown: false,
      logger: { level: 'error' },
      dashboard: { enabled: false },
    };
    // Configured, not started: jobs can be added, none runs yet.
    await Sidequest.configure(this.#config);
    this.#configured = true;
  }

  async addOne(data: unknown): Promise<void> {
    await Sidequest.build(BenchNoopJob).queue(QUEUE).enqueue(data);
  }

  /** It has no bulk enqueue: a batch is that many enqueue() calls at once. */
  async addBatch(data: unknown[]): Promise<void> {
    await Promise.all(data.map((d) => Sidequest.build(BenchNoopJob).queue(QUEUE).enqueue(d)));
  }

  async startWorkers(): Promise<void> {
    await Sidequest.start(this.#config);
    this.#started = true;
  }

  /** Its stop closes the engine and the backend: after it, only close() is called. */
  async stopWorkers(): Promise<void> {
    if (this.#started) await this.#stop();
  }

  async #stop(): Promise<void> {
    this.#started = false;
    this.#configured = false;
    await Sidequest.stop();
  }

  async anyUnfinished(): Promise<boolean> {
    const counts = await Sidequest.getBackend()!.countJobs();
    return counts.waiting + counts.claimed + counts.running > 0;
  }

  async close(): Promise<void> {
    if (this.#configured) await this.#stop();
    if (this.#file) removeSqliteFile(this.#file);
  }
}
