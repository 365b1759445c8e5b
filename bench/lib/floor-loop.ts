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
 * batched completion. One claim is in flight at a time and the next is sent while the current
 * batch runs; finished jobs are completed together, one completion write in flight at a time
 * (whatever finished while it was on its way goes in the next). Tasks run at most `concurrency`
 * at a time. No lease, retry, event or result: what a real queue adds on top is what it costs.
 */
export class FloorLoop {
  #stopping = false;
  #loop?: Promise<void>;
  #done: number[] = [];
  #writing?: Promise<void>;

  constructor(
    private readonly sql: FloorStatements,
    private readonly concurrency: number,
    private readonly idleMs = 2,
  ) {}

  start(): void {
    this.#stopping = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop;
    await this.#writing;
    await this.#flush();
  }

  async #run(): Promise<void> {
    let next = this.sql.claim(FLOOR_CLAIM_BATCH);
    while (!this.#stopping) {
      const jobs = await next;
      if (jobs.length === 0) {
        await sleep(this.idleMs);
        if (!this.#stopping) next = this.sql.claim(FLOOR_CLAIM_BATCH);
        continue;
      }
      next = this.sql.claim(FLOOR_CLAIM_BATCH);
      await this.#runAll(jobs);
    }
    // A batch claimed while stopping is finished too, so that no job is left running.
    const last = await next;
    if (last.length > 0) await this.#runAll(last);
  }

  /** Runs a batch's tasks, at most `concurrency` at once; each finished job queues its completion. */
  async #runAll(jobs: FloorJob[]): Promise<void> {
    let index = 0;
    const lane = async () => {
      while (index < jobs.length) {
        const job = jobs[index++];
        const wait = probe.ran();
        if (wait) await wait;
        this.#done.push(job.id);
        // After this turn's other completions are in (a microtask runs once the synchronous lane yields).
        if (!this.#writing) this.#writing = Promise.resolve().then(() => this.#flush());
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, lane));
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
