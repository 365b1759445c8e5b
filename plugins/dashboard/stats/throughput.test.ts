import { describe, expect, it } from 'vitest';
import type { JobStore } from 'remotetask';
import { MemoryJobStore } from '../../../core/store/memory/memory-job-store.js';
import { JobEventBus } from '../../../core/service/job-events.js';
import { THROUGHPUT_MAX_AGE_MS, Throughput, WINDOW_MINUTES } from './throughput.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const nextRunAt = () => null;

/** A memory store whose completionsPerMinute calls are recorded (and can be made to fail). */
async function storeWithJobs() {
  const store = new MemoryJobStore();
  await store.open();
  const asked: number[] = [];
  let failing = false;
  const spy: Pick<JobStore, 'completionsPerMinute'> = {
    completionsPerMinute(service, since) {
      asked.push(since);
      return failing ? Promise.reject(new Error('store down')) : store.completionsPerMinute(service, since);
    },
  };
  /** A job of `service` run to its end at `at` by `workerId` (any process: the store is what counts). */
  async function finished(kind: 'completed' | 'failed', at: number, workerId = 'w1', service = '@S'): Promise<void> {
    const job = await store.insert({ service, task: 't', input: null, status: 'queued', maxAttempts: 1, created: at - 1, runAt: at - 1, schedule: null });
    await store.claim({ service, now: at - 1, workerId, leaseMs: 60_000, jobId: job.id, nextRunAt });
    await store.finish([kind === 'completed'
      ? { id: job.id, workerId, now: at, kind: 'completed', result: null }
      : { id: job.id, workerId, now: at, kind: 'failed', error: 'no', errorStack: null }]);
  }
  return { store, spy, asked, finished, fail: (value: boolean) => (failing = value) };
}

const total = (minutes: { completed: number }[]) => minutes.reduce((sum, minute) => sum + minute.completed, 0);

describe('Throughput', () => {
  it('counts the finished jobs of every process per minute over the last hour, from the store', async () => {
    const { spy, finished } = await storeWithJobs();
    await finished('completed', T0 + 5_000, 'server');
    await finished('completed', T0 + 6_000, 'worker-b');
    await finished('failed', T0 + 7_000, 'worker-c');
    await finished('completed', T0 - 59 * MINUTE + 1, 'worker-b');
    await finished('completed', T0 - 61 * MINUTE, 'worker-b');
    await finished('completed', T0, 'worker-b', '@Other');
    const series = await new Throughput(spy, () => T0 + 10_000).series('@S');
    expect(series.minutes).toHaveLength(WINDOW_MINUTES + 1);
    expect(series.minutes.at(-1)).toEqual({ start: T0, completed: 2, failed: 1 });
    expect(series.minutes[1]).toEqual({ start: T0 - 59 * MINUTE, completed: 1, failed: 0 });
    expect(total(series.minutes)).toBe(3);
    expect(series.failed).toBe(false);
  });

  it('reads the store again only once a job ended (an event of any process), at most once a second, and then only the last minutes', async () => {
    const { spy, asked, finished } = await storeWithJobs();
    let now = T0 + 30_000;
    const bus = new JobEventBus();
    const throughput = new Throughput(spy, () => now);
    const stop = throughput.attach(bus);
    const ended = (service = '@S') => bus.deliver({ type: 'completed', service, jobId: 1, task: 't', status: 'completed', time: now });
    await finished('completed', T0 + 1_000);
    const [a, b] = await Promise.all([throughput.series('@S'), throughput.series('@S')]);
    expect(a).toEqual(b);
    expect(asked).toEqual([T0 - WINDOW_MINUTES * MINUTE]);

    // No event: the counts read serve (a job written behind the events' back is not seen yet).
    await finished('completed', T0 + 31_000);
    now += 10_000;
    ended('@Other');
    expect(total((await throughput.series('@S')).minutes)).toBe(1);
    expect(asked).toHaveLength(1);

    // A job of the service ended: the next page reads. A job that ended before the last read but
    // was written after it (a slow commit) is counted too.
    await finished('completed', T0 + 29_000);
    now = T0 + 2 * MINUTE + 10_000;
    await finished('failed', now - 1);
    ended();
    const series = await throughput.series('@S');
    expect(asked[1]).toBe(T0 - MINUTE);
    expect(series.minutes.find((minute) => minute.start === T0)).toEqual({ start: T0, completed: 3, failed: 0 });
    expect(series.minutes.at(-1)).toEqual({ start: T0 + 2 * MINUTE, completed: 0, failed: 1 });

    // Events in the same second: one read, a second after the last (the page waits for it).
    ended();
    ended();
    const waited = await Promise.all([throughput.series('@S'), throughput.series('@S')]);
    expect(waited[0]).toEqual(waited[1]);
    expect(asked).toHaveLength(3);

    // Without events, the counts are read again once they are THROUGHPUT_MAX_AGE_MS old; an hour
    // later the old minutes are gone from the window.
    now = T0 + 2 * MINUTE + WINDOW_MINUTES * MINUTE;
    expect(total((await throughput.series('@S')).minutes)).toBe(0);
    expect(asked).toHaveLength(4);
    now += THROUGHPUT_MAX_AGE_MS - 1;
    await throughput.series('@S');
    expect(asked).toHaveLength(4);
    stop();
  });

  it('keeps the counts it had when a read fails, says so, and reads the whole hour again next time', async () => {
    const { spy, asked, finished, fail } = await storeWithJobs();
    let now = T0 + 10_000;
    const failures: string[] = [];
    const throughput = new Throughput(spy, () => now, (service, error) => failures.push(`${service}: ${error.message}`));
    await finished('completed', T0 + 1_000);
    await throughput.series('@S');
    fail(true);
    now += THROUGHPUT_MAX_AGE_MS;
    const failed = await throughput.series('@S');
    expect(failed.failed).toBe(true);
    expect(total(failed.minutes)).toBe(1);
    expect(failures).toEqual(['@S: store down']);
    fail(false);
    now += THROUGHPUT_MAX_AGE_MS;
    expect((await throughput.series('@S')).failed).toBe(false);
    expect(asked.at(-1)).toBe(Math.floor(now / MINUTE) * MINUTE - WINDOW_MINUTES * MINUTE);
  });
});
