import type { OpenOptions, QueueSystem } from './system.js';
import { probe, sleep } from './util.js';

/** One claimed job of the floor: its id (what completion needs) and its payload (what the task needs). */
export interface FloorJob {
  id: number;
  payload: unknown;
}

/** The two statements a durable queue cannot do without, as a floor system runs them. */
export interface FloorStatements {
  /** Marks up to `limit` queued jobs running and returns them, oldest first (one statement, one transaction). */
  claim(limit: number): Promise<FloorJob[]>;
  /** Marks these jobs finished (one statement, one transaction). */
  complete(ids: number[]): Promise<void>;
}

/** Jobs claimed per statement: enough that a claim's round trip is spread over many jobs. */
export const FLOOR_CLAIM_BATCH = 500;

/**
 * The least work any durable queue must do per job, as a loop: a batched claim, the task, a
 * batched completion. Claimed jobs wait in a buffer that `concurrency` lanes take from; one claim
 * is in flight at a time, sent when the buffer is down to half a batch. Finished jobs are
 * completed together, one completion write in flight at a time (whatever finished while it was on
 * its way goes in the next). No lease, retry, event or result: what a real queue adds on top of
 * this is what it costs.
 */
export class FloorLoop {
  #stopping = false;
  #buffer: FloorJob[] = [];
  #claiming?: Promise<void>;
  /** Set when a claim found nothing: lanes wait `idleMs` before the next claim. */
  #empty = false;
  #lanes: Promise<void>[] = [];
  #done: number[] = [];
  #writing?: Promise<void>;

  constructor(
    private readonly sql: FloorStatements,
    private readonly concurrency: number,
    private readonly idleMs = 2,
  ) {}

  start(): void {
    this.#stopping = false;
    this.#lanes = Array.from({ length: this.concurrency }, () => this.#lane());
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#lanes);
    await this.#claiming;
    // Jobs claimed but not started are run too, so that none is left running.
    this.#stopping = false;
    this.#lanes = Array.from({ length: Math.min(this.concurrency, this.#buffer.length) }, () => this.#lane(true));
    await Promise.all(this.#lanes);
    await this.#writing;
    await this.#flush();
  }

  /** Sends a claim unless one is in flight; its jobs join the buffer. */
  #claim(): Promise<void> {
    this.#claiming ??= this.sql.claim(FLOOR_CLAIM_BATCH).then(
      (jobs) => {
        this.#buffer.push(...jobs);
        this.#empty = jobs.length === 0;
        this.#claiming = undefined;
      },
      (error) => {
        this.#claiming = undefined;
        throw error;
      },
    );
    return this.#claiming;
  }

  async #lane(drainOnly = false): Promise<void> {
    while (!this.#stopping) {
      if (!drainOnly && this.#buffer.length <= FLOOR_CLAIM_BATCH / 2) {
        const claim = this.#claim();
        if (this.#buffer.length === 0) {
          await claim;
          if (this.#buffer.length === 0) {
            if (this.#empty) await sleep(this.idleMs);
            continue;
          }
        }
      }
      const job = this.#buffer.shift();
      if (!job) return;
      const wait = probe.ran();
      if (wait) await wait;
      this.#done.push(job.id);
      // After this turn's other completions are in (a microtask runs once the lanes yield).
      if (!this.#writing) this.#writing = Promise.resolve().then(() => this.#flush());
    }
  }

  /** Writes every completion that has come, until none is left (group commit). */
  async #flush(): Promise<void> {
    try {
      while (this.#done.length > 0) {
        const ids = this.#done;
        this.#done = [];
        await this.sql.complete(ids);
      }
    } finally {
      this.#writing = undefined;
    }
  }
}

/** What the two floor systems share: the loop's start and stop, and prefills by status. */
export abstract class FloorSystem implements QueueSystem {
  abstract readonly label: string;
  abstract readonly backend: 'postgres' | 'sqlite';
  #loop?: FloorLoop;
  protected concurrency = 1;

  abstract open(options: OpenOptions): Promise<void>;
  abstract addOne(data: unknown): Promise<void>;
  abstract addBatch(data: unknown[]): Promise<void>;
  abstract anyUnfinished(): Promise<boolean>;
  abstract close(): Promise<void>;
  /** The claim and completion statements on this system's connection. */
  protected abstract statements(): FloorStatements;
  /** Puts `count` jobs of that status (0 queued, 2 finished) into the table, then refreshes statistics and checkpoints. */
  protected abstract bulk(count: number, status: 0 | 2): Promise<void>;

  async startWorkers(): Promise<void> {
    this.#loop = new FloorLoop(this.statements(), this.concurrency);
    this.#loop.start();
  }

  async stopWorkers(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
  }

  prefillFinished(count: number): Promise<void> {
    return this.bulk(count, 2);
  }

  prefillQueued(count: number): Promise<void> {
    return this.bulk(count, 0);
  }
}
