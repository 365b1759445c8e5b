import { describe, expect, it } from 'vitest';
import { createKernel, SimpleTask, TaskError } from 'remotetask';
import { captureLog } from '../../../test/helpers/capture-log.js';
import { Throughput, WINDOW_MINUTES } from './throughput.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

describe('Throughput', () => {
  it('counts completed and failed events per minute and service over the last hour', () => {
    let now = T0;
    const throughput = new Throughput(() => now);
    const event = (type: 'completed' | 'failed' | 'started', minutesAgo: number, service = '@S') =>
      throughput.record({ type, service, time: T0 - minutesAgo * MINUTE + 5000 });
    event('completed', 0);
    event('completed', 0);
    event('failed', 0);
    event('started', 0);
    event('completed', 59);
    event('completed', 61);
    event('completed', 0, '@Other');

    const series = throughput.series('@S');
    expect(series.minutes).toHaveLength(WINDOW_MINUTES + 1);
    expect(series.minutes.at(-1)).toEqual({ start: T0, completed: 2, failed: 1 });
    expect(series.minutes[1]).toEqual({ start: T0 - 59 * MINUTE, completed: 1, failed: 0 });
    expect(series.minutes.reduce((sum, minute) => sum + minute.completed, 0)).toBe(3);

    now = T0 + 2 * MINUTE;
    expect(throughput.series('@S').minutes.reduce((sum, minute) => sum + minute.completed, 0)).toBe(2);
  });

  it('takes the hour before it started from the store, and events from then on', async () => {
    let now = T0 - 30 * MINUTE;
    const kernel = await createKernel(
      {
        store: { kind: 'memory' },
        sites: { '': { services: { S: {} } } },
        plugins: [{
          name: 'tasks',
          register(ctx) {
            ctx.addTask('ok', new SimpleTask(() => 1));
            ctx.addTask('bad', new SimpleTask(() => { throw new TaskError('no'); }));
          },
        }],
      },
      { autostart: false, clock: () => now, logger: captureLog().logger },
    );
    const service = kernel.getService('@S');
    for (const [task, at] of [['ok', -90], ['ok', -30], ['ok', -30], ['bad', -10], ['ok', -1]] as const) {
      now = T0 + at * MINUTE;
      await service.add(task, null);
      await service.processNext();
    }
    now = T0;
    const throughput = new Throughput(() => now);
    throughput.attach(kernel);
    await expect.poll(() => throughput.series('@S').backfill, { timeout: 10_000 }).toBe('done');
    now = T0 + 10_000;
    await service.add('ok', null);
    await service.processNext();
    const { minutes } = throughput.series('@S');
    expect(minutes.reduce((sum, minute) => sum + minute.completed, 0)).toBe(4);   // 3 from the store (not the one 90 min ago), 1 live
    expect(minutes.reduce((sum, minute) => sum + minute.failed, 0)).toBe(1);
    expect(minutes.find((minute) => minute.start === T0 - 30 * MINUTE)?.completed).toBe(2);
    throughput.detach();
    await kernel.close();
  });
});
