import type { JobEvent, Kernel } from 'remotetask';

const MINUTE_MS = 60_000;
/** Minutes kept per service: the chart's hour and the minute in progress. */
export const WINDOW_MINUTES = 60;

export interface MinuteCount {
  /** The minute's start (ms since the epoch). */
  start: number;
  completed: number;
  failed: number;
}

export interface ThroughputSeries {
  minutes: MinuteCount[];
  /** Since when events of this process are counted (ms). */
  since: number;
  /** Minutes before `since` were taken from the store's completion times, if it answered. */
  backfill: 'pending' | 'done' | 'partial' | 'failed';
}

/** How many finished jobs the backfill reads at most per service, so a busy store cannot stall it. */
const BACKFILL_LIMIT = 20_000;
const BACKFILL_PAGE = 1000;

/**
 * Jobs completed and failed per minute and service over the last hour, for the overview's chart.
 *
 * From its start it counts the `completed` and `failed` events of this process (cron job runs
 * included); the minutes before its start come once from the store: finished jobs (`completed`,
 * `error`) by their completion time. Jobs run by other processes (`remotetask worker`) after the
 * start are not seen, nor jobs removed by Clean before the start.
 */
export class Throughput {
  readonly since: number;
  readonly #counts = new Map<string, Map<number, MinuteCount>>();
  readonly #backfill = new Map<string, ThroughputSeries['backfill']>();
  readonly #clock: () => number;
  #unsubscribe?: () => void;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
    this.since = clock();
  }

  /** Starts counting the kernel's events and backfills the hour before from its store (in the background). */
  attach(kernel: Kernel): void {
    this.#unsubscribe = kernel.events.on((event) => this.record(event));
    for (const service of kernel.services()) {
      this.#backfill.set(service.address, 'pending');
      this.#backfillFrom(kernel, service.address).then(
        (outcome) => this.#backfill.set(service.address, outcome),
        (error: Error) => {
          this.#backfill.set(service.address, 'failed');
          kernel.logger.warn(`dashboard: reading the last hour of ${service.address} from the store failed: ${error.message}`);
        },
      );
    }
  }

  detach(): void {
    this.#unsubscribe?.();
  }

  record(event: Pick<JobEvent, 'type' | 'service' | 'time'>): void {
    if (event.type === 'completed') this.#add(event.service, event.time, 'completed');
    else if (event.type === 'failed') this.#add(event.service, event.time, 'failed');
  }

  /** The last {@link WINDOW_MINUTES} whole minutes and the current one, oldest first. */
  series(service: string, now = this.#clock()): ThroughputSeries {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const counts = this.#counts.get(service);
    const minutes: MinuteCount[] = [];
    for (let start = current - WINDOW_MINUTES * MINUTE_MS; start <= current; start += MINUTE_MS) {
      const count = counts?.get(start);
      minutes.push({ start, completed: count?.completed ?? 0, failed: count?.failed ?? 0 });
    }
    this.#prune(service, current);
    return { minutes, since: this.since, backfill: this.#backfill.get(service) ?? 'done' };
  }

  #add(service: string, time: number, kind: 'completed' | 'failed'): void {
    const start = Math.floor(time / MINUTE_MS) * MINUTE_MS;
    let counts = this.#counts.get(service);
    if (!counts) this.#counts.set(service, (counts = new Map()));
    let count = counts.get(start);
    if (!count) counts.set(start, (count = { start, completed: 0, failed: 0 }));
    count[kind]++;
  }

  #prune(service: string, current: number): void {
    const counts = this.#counts.get(service);
    if (!counts) return;
    for (const start of counts.keys()) if (start < current - WINDOW_MINUTES * MINUTE_MS) counts.delete(start);
  }

  async #backfillFrom(kernel: Kernel, address: string): Promise<'done' | 'partial'> {
    const service = kernel.getService(address);
    // From the start of the chart's first minute.
    const from = Math.floor(this.since / MINUTE_MS) * MINUTE_MS - WINDOW_MINUTES * MINUTE_MS;
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await service.jobs.page({ status: ['completed', 'error'], sort: '-completed', limit: BACKFILL_PAGE, cursor });
      for (const job of page.jobs) {
        if (job.completed === null || job.completed < from) return 'done';
        // Events count from `since` on: the store covers only what came before.
        if (job.completed < this.since) this.#add(address, job.completed, job.status === 'error' ? 'failed' : 'completed');
      }
      read += page.jobs.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor && read < BACKFILL_LIMIT);
    return cursor ? 'partial' : 'done';
  }
}
