import { describe, expect, it } from 'vitest';
import { createKernel } from '../kernel/create-kernel.js';
import { JobEventBus, type JobEvent } from '../service/job-events.js';
import { FinishedRunCounter } from './finished-runs.js';

const event = (type: JobEvent['type'], jobId: number): JobEvent => ({ type, service: '@S', jobId, task: 'echo', status: 'processing', time: 0 });

describe('FinishedRunCounter', () => {
  it('counts the runs this process ended, in all and over the last sixty seconds; delivered events are left out', () => {
    let now = 1_000_000;
    const bus = new JobEventBus();
    const counter = new FinishedRunCounter(() => now);
    const stop = counter.attach(bus);
    bus.emit(event('started', 1));
    bus.emit(event('completed', 1));
    bus.emit(event('failed', 2));
    bus.emit(event('retrying', 3));
    bus.deliver(event('completed', 4));
    expect(counter.read()).toEqual({ total: 3, lastMinute: 3 });
    now += 30_000;
    bus.emit(event('completed', 5));
    expect(counter.read()).toEqual({ total: 4, lastMinute: 4 });
    // Sixty seconds after the first three, only the fourth is in the last minute; a bucket reused later starts afresh.
    now += 30_000;
    expect(counter.read()).toEqual({ total: 4, lastMinute: 1 });
    now += 60_000;
    bus.emit(event('completed', 6));
    expect(counter.read()).toEqual({ total: 5, lastMinute: 1 });
    stop();
    bus.emit(event('completed', 7));
    expect(counter.read().total).toBe(5);
  });

  it('does not make a kernel listen to the other processes\' events', async () => {
    const kernel = await createKernel({ store: { kind: 'memory' }, sites: { '': { services: { S: {} } } } }, { autostart: false });
    try {
      // A plain worker counts its runs for its beat, and still parses nothing of the others'.
      expect(kernel.events.listened()).toBe(false);
    } finally {
      await kernel.close();
    }
  });
});
