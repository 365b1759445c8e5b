import type { JobEventBus, JobStore, MinuteCompletions } from 'remotetask';

const MINUTE_MS = 60_000;
/** Minutes shown per service: the chart's hour and the minute in progress. */
export const WINDOW_MINUTES = 60;
/** While jobs of a service finish, its counts are read at most this often (ms), however many pages ask. */
export const THROUGHPUT_MIN_INTERVAL_MS = 1_000;
/** Without a job event (none finished, or the events were lost), a read serves this long (ms). */
export const THROUGHPUT_MAX_AGE_MS = 30_000;

export type MinuteCount = MinuteCompletions;

export interface ThroughputSeries {
  minutes: MinuteCount[];
  /** When the store was last read for it (ms). */
  readAt: number;
  /** The last read failed: the minutes are what the read before gave (none at first). */
  failed: boolean;
}

interface ServiceCounts {
  minutes: Map<number, MinuteCount>;
  readAt: number;
  failed: boolean;
  /** A job of the service ended (an event of any process) since the last read. */
  dirty: boolean;
  reading?: Promise<void>;
}

/**
 * Jobs completed and failed per minute and service over the last hour, for the overview's chart,
 * from the store's completion times: every process's runs, the workers' too (cron job runs,
 * which stay `cronjob`, are not counted).
 *
 * Cost: the first read of a service counts its last hour of finished jobs (one range of the
 * (service, status, completed) index per status). After that a page gets the counts it had unless a
 * job of the service ended since (a `completed` or `failed` event of any process), and then at most
 * one read per {@link THROUGHPUT_MIN_INTERVAL_MS} for all pages; with no event, one per
 * {@link THROUGHPUT_MAX_AGE_MS} (events can be lost). Each read counts only the jobs that ended
 * since the start of the minute before the last read: whole minutes before that are kept. That
 * minute is read again for jobs whose finish committed after their completion time was taken.
 */
export class Throughput {
  readonly #counts = new Map<string, ServiceCounts>();

  constructor(
    private readonly store: Pick<JobStore, 'completionsPerMinute'>,
    private readonly clock: () => number = Date.now,
    private readonly onError: (service: string, error: Error) => void = () => undefined,
  ) {}

  /** Marks a service's counts stale when one of its jobs ends, in any process; returns the unsubscribe function. */
  attach(events: Pick<JobEventBus, 'on' | 'onResync'>): () => void {
    const stopEvents = events.on((event) => {
      if (event.type === 'completed' || event.type === 'failed') this.#of(event.service).dirty = true;
    });
    const stopResync = events.onResync(() => {
      for (const counts of this.#counts.values()) counts.dirty = true;
    });
    return () => {
      stopEvents();
      stopResync();
    };
  }

  /** The last {@link WINDOW_MINUTES} whole minutes and the current one, oldest first. */
  async series(service: string): Promise<ThroughputSeries> {
    const counts = this.#of(service);
    const age = this.clock() - counts.readAt;
    if (counts.dirty || age >= THROUGHPUT_MAX_AGE_MS) {
      counts.reading ??= (async () => {
        // Many pages and many events within a second share one read, the next second.
        if (age < THROUGHPUT_MIN_INTERVAL_MS) await new Promise((resolve) => setTimeout(resolve, THROUGHPUT_MIN_INTERVAL_MS - age));
        counts.dirty = false;
        await this.#read(service, counts);
      })().finally(() => (counts.reading = undefined));
      await counts.reading;
    }
    const now = this.clock();
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const minutes: MinuteCount[] = [];
    for (let start = current - WINDOW_MINUTES * MINUTE_MS; start <= current; start += MINUTE_MS) {
      const count = counts.minutes.get(start);
      minutes.push({ start, completed: count?.completed ?? 0, failed: count?.failed ?? 0 });
    }
    return { minutes, readAt: counts.readAt, failed: counts.failed };
  }

  #of(service: string): ServiceCounts {
    let counts = this.#counts.get(service);
    if (!counts) this.#counts.set(service, (counts = { minutes: new Map(), readAt: Number.NEGATIVE_INFINITY, failed: false, dirty: true }));
    return counts;
  }

  async #read(service: string, counts: ServiceCounts): Promise<void> {
    const now = this.clock();
    const first = Math.floor(now / MINUTE_MS) * MINUTE_MS - WINDOW_MINUTES * MINUTE_MS;
    const since = Number.isFinite(counts.readAt) && !counts.failed
      ? Math.max(first, Math.floor(counts.readAt / MINUTE_MS) * MINUTE_MS - MINUTE_MS)
      : first;
    try {
      const rows = await this.store.completionsPerMinute(service, since);
      for (const start of counts.minutes.keys()) if (start >= since || start < first) counts.minutes.delete(start);
      for (const row of rows) counts.minutes.set(row.start, row);
      counts.failed = false;
    } catch (error) {
      counts.failed = true;
      this.onError(service, error as Error);
    }
    counts.readAt = now;
  }
}
