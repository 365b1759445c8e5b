import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../../test/helpers/capture-log.js';
import { createKernel } from '../../kernel/create-kernel.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { StoreConfig } from '../../store/store-config.js';

let kernel: Kernel | undefined;
let dir: string | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const JOBS = 20_000;
const CONCURRENCY = 32;

/**
 * Drains a backlog of instant jobs and returns the most jobs that were ever leased (claimed) and
 * not yet finished in the store. SQLite and memory answer a claim and a finish without a turn of
 * the event loop, so without a turn before each claim the worker claimed the whole backlog before
 * it wrote a single outcome: every job leased at once, shown `processing`, counted by a limit.
 */
async function mostLeasedAtOnce(store: StoreConfig): Promise<number> {
  kernel = await createKernel(
    { store, plugins: ['echo'], sites: { '': { services: { S: { processor: 'multi', maxConcurrency: CONCURRENCY } } } }, autostart: [] },
    { logger: captureLog().logger },
  );
  const service = kernel.getService('@S');
  for (let at = 0; at < JOBS; at += 1_000) await service.addMany('echo', Array.from({ length: 1_000 }, (_, n) => ({ n: at + n })));
  const jobStore = kernel.store;
  let leased = 0;
  let most = 0;
  const claim = jobStore.claim.bind(jobStore);
  const finish = jobStore.finish.bind(jobStore);
  jobStore.claim = async (options) => {
    const jobs = await claim(options);
    leased += jobs.length;
    most = Math.max(most, leased);
    return jobs;
  };
  jobStore.finish = async (outcomes) => {
    const applied = await finish(outcomes);
    leased -= applied.length;
    return applied;
  };
  let completed = 0;
  let backloggedMidway: boolean | undefined;
  const allDone = new Promise<void>((resolve) => kernel!.events.on((event) => {
    if (event.type !== 'completed') return;
    if (++completed === JOBS / 2) backloggedMidway = service.processor?.backlogged;
    if (completed === JOBS) resolve();
  }));
  service.startProcessing();
  await allDone;
  // Working through the backlog it says so (a retention sweep then yields more); stopped, not.
  expect(backloggedMidway).toBe(true);
  await service.stopProcessing();
  expect(service.processor?.backlogged ?? false).toBe(false);
  expect(completed).toBe(JOBS);
  return most;
}

// The free slots, the largest prefetch (1,000) and the outcomes of one such claim still being written.
const BOUND = 2 * (CONCURRENCY + 1_000);

describe('Processor working through a backlog', () => {
  it('on SQLite, writes outcomes as it goes: never more than two claims of jobs leased at once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-backlog-'));
    expect(await mostLeasedAtOnce({ kind: 'sqlite', path: join(dir, 'jobs.db') })).toBeLessThanOrEqual(BOUND);
  });

  it('on the memory store, the same', async () => {
    expect(await mostLeasedAtOnce({ kind: 'memory' })).toBeLessThanOrEqual(BOUND);
  });
});
