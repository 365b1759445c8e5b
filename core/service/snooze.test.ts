import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/helpers/capture-log.js';
import { createKernel } from '../kernel/create-kernel.js';
import type { Kernel } from '../kernel/kernel.js';
import { SimpleTask } from '../tasks/simple-task.js';
import { SnoozeError } from '../tasks/snooze-error.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
});

async function boot() {
  kernel = await createKernel(
    { store: { kind: 'memory' }, sites: { '': { services: { Svc: { maxAttempts: 1 } } } } },
    { logger: captureLog('debug').logger, autostart: false },
  );
  return { kernel, service: kernel.getService('@Svc') };
}

const T = 1_700_000_000; // seconds, as the seed's `now`

describe('snooze', () => {
  it('context.snooze(seconds) makes the job wait delayed, the attempt not counted, then it runs', async () => {
    const { kernel, service } = await boot();
    const attempts: number[] = [];
    kernel.addTask('later', new SimpleTask((_input, context) => {
      attempts.push(context.attempt);
      if (attempts.length < 3) context.snooze(30);
      return 'done';
    }));
    const id = await service.add('later', null);
    await service.processNext(T);
    expect(await service.getJob(id)).toMatchObject({ status: 'delayed', attempts: 0, runAt: (T + 30) * 1000, error: null });
    expect(await service.processNext(T + 29)).toBe(false);
    await service.processNext(T + 30);
    expect(await service.getStatus(id)).toBe('delayed');
    await service.processNext(T + 60);
    expect(await service.getStatus(id)).toBe('completed');
    // Each run was the first attempt, although the service allows one: snoozing is no failure.
    expect(attempts).toEqual([1, 1, 1]);
  });

  it('a thrown SnoozeError does the same; a bad number of seconds fails the job saying why', async () => {
    const { kernel, service } = await boot();
    kernel.addTask('thrown', new SimpleTask(() => {
      throw new SnoozeError(5);
    }));
    kernel.addTask('bad', new SimpleTask((_input, context) => context.snooze(-1)));
    const thrown = await service.add('thrown', null);
    await service.processNext(T);
    expect(await service.getJob(thrown)).toMatchObject({ status: 'delayed', runAt: (T + 5) * 1000 });
    const bad = await service.add('bad', null);
    await service.processNext(T, bad);
    expect(await service.getJob(bad)).toMatchObject({ status: 'error', error: 'snooze takes a positive number of seconds, at most 3155760000 (100 years); got -1' });
  });
});
