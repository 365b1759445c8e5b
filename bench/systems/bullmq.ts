import { Queue, Worker } from 'bullmq';
import type { OpenOptions, QueueSystem } from '../lib/system.js';
import { probe } from '../lib/util.js';

export const REDIS_HOST = process.env.BENCH_REDIS_HOST ?? '127.0.0.1';
export const REDIS_PORT = Number(process.env.BENCH_REDIS_PORT ?? 6379);
const connection = { host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: null };
/** Its own key prefix, obliterated before each workload: nothing else in this Redis is touched. */
const prefix = 'remotetask-bench';
const NAME = 'noop';

/** BullMQ on the machine's Redis: a reference point (in memory, not a SQL store). */
export class BullmqSystem implements QueueSystem {
  readonly backend = 'redis' as const;
  readonly label = 'BullMQ (Redis)';
  #queue?: Queue;
  #worker?: Worker;
  #concurrency = 1;

  async open({ concurrency }: OpenOptions): Promise<void> {
    this.#concurrency = concurrency;
    this.#queue = new Queue(NAME, { connection, prefix });
    await this.#queue.waitUntilReady();
    await this.#queue.obliterate({ force: true });
  }

  async addOne(data: unknown): Promise<void> {
    await this.#queue!.add(NAME, data);
  }

  async addBatch(data: unknown[]): Promise<void> {
    await this.#queue!.addBulk(data.map((d) => ({ name: NAME, data: d })));
  }

  async startWorkers(): Promise<void> {
    this.#worker = new Worker(
      NAME,
      async () => {
        await probe.ran();
      },
      { connection, prefix, concurrency: this.#concurrency },
    );
    this.#worker.on('error', () => undefined);
    await this.#worker.waitUntilReady();
  }

  async stopWorkers(): Promise<void> {
    await this.#worker?.close();
    this.#worker = undefined;
  }

  async anyUnfinished(): Promise<boolean> {
    const counts = await this.#queue!.getJobCounts('wait', 'active', 'delayed', 'prioritized');
    return Object.values(counts).some((n) => n > 0);
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.#queue?.obliterate({ force: true }).catch(() => undefined);
    await this.#queue?.close();
    this.#queue = undefined;
  }
}
