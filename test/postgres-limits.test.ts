/**
 * Issue 16, items 1 and 2, with real processes: three `remotetask worker` processes on one
 * PostgreSQL database enforce a task's limits and a serial queue together.
 *
 * The run log (test/fixtures/worker-record-plugin.ts) is appended to by every worker, one write per
 * line, so its order is the order the runs started and ended across the processes: the overlap of
 * runs is computed from it. A run's log lines fall within its lease (a start is logged after the
 * claim, an end before the outcome is stored), so the overlap seen is at most what the store let run.
 * Rates are counted from the store's own claim times (`started`), per fixed window.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countsById, fleetConfig, poll, readRuns, useFleetTest, writeConfig, type RunLine } from './fixtures/worker-fleet.js';

const fleetTest = useFleetTest('limits');
const { fleet, setUp, observer } = fleetTest;

/** The most runs in progress at once among the log's lines that `counts` picks. */
function maxOverlap(runs: RunLine[], counts: (line: RunLine) => boolean = () => true): number {
  let running = 0;
  let max = 0;
  for (const line of runs.filter(counts)) {
    if (line.kind === 'start') max = Math.max(max, ++running);
    else running -= 1;
  }
  return max;
}

describe('PostgreSQL store: limits and serial queues across three worker processes', { timeout: 120_000 }, () => {
  it('a concurrency limit of 2 is never exceeded across the fleet', async () => {
    const { out } = setUp('concurrency');
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'limit_concurrency',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 4, limits: { record: { concurrency: 2 } } } },
    });
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(3, writeConfig(fleetTest.dir, config));

    const ids = await service.addMany('record', Array.from({ length: 60 }, () => ({ ms: 20 })));
    await poll(async () => (await service.jobs.countByStatus()).completed === ids.length, {
      timeout: 60_000, what: `all ${ids.length} limited jobs completed`, detail: () => fleet.output(),
    });
    const runs = readRuns(out);
    expect(ids.filter((id) => countsById(runs, 'end').get(id) !== 1)).toEqual([]);
    expect(maxOverlap(runs)).toBe(2);
  });

  it('a rate of 20 per second holds in every window, counted from the claims', async () => {
    const { out } = setUp('rate');
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'limit_rate',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 8, limits: { record: { rate: { count: 20, per: '1s' } } } } },
    });
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(3, writeConfig(fleetTest.dir, config));

    const ids = await service.addMany('record', Array.from({ length: 100 }, () => ({})));
    await poll(async () => (await service.jobs.countByStatus()).completed === ids.length, {
      timeout: 60_000, what: `all ${ids.length} rate-limited jobs completed`, detail: () => fleet.output(),
    });
    const jobs = await service.jobs.all();
    const perWindow = new Map<number, number>();
    for (const job of jobs) {
      const window = Math.floor(job.started! / 1_000);
      perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
    }
    // No window holds more than 20 claims, so 100 jobs take at least five windows.
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(20);
    expect(perWindow.size).toBeGreaterThanOrEqual(5);
    expect(jobs.every((job) => job.attempts === 1)).toBe(true);
  });

  it('a limit partitioned by customer lets one run per customer, customers side by side', async () => {
    const { out } = setUp('partition');
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'limit_partition',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 4, limits: { record: { concurrency: 1, partitionBy: 'customer' } } } },
    });
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(3, writeConfig(fleetTest.dir, config));

    const gate = join(fleetTest.dir, 'gate');
    const held = { a: await service.add('record', { customer: 'a', gate }), b: await service.add('record', { customer: 'b', gate }) };
    const rest = await service.addMany('record', ['a', 'b', 'c', 'a', 'b', 'c'].map((customer) => ({ customer, ms: 10 })));
    const started = (id: number) => readRuns(out).some((line) => line.kind === 'start' && line.id === id);
    // Both held jobs run at once (two partitions), and c's jobs pass beside them.
    await poll(() => started(held.a) && started(held.b) && started(rest[2]) && started(rest[5]), {
      what: 'the held jobs of a and b and the jobs of c to start', detail: () => fleet.output(),
    });
    expect(rest.filter((id, n) => n % 3 !== 2 && started(id))).toEqual([]);
    expect(await service.heldBy(rest[0])).toEqual({ limit: 'record', partition: 'a', reason: 'concurrency 1 reached' });
    writeFileSync(gate, '');
    await poll(async () => (await service.jobs.countByStatus()).completed === 8, { what: 'all 8 jobs completed', detail: () => fleet.output() });

    const runs = readRuns(out);
    const customerOf = new Map((await service.jobs.all()).map((job) => [job.id, (job.input as { customer: string }).customer]));
    for (const customer of ['a', 'b', 'c']) expect(maxOverlap(runs, (line) => customerOf.get(line.id) === customer)).toBe(1);
  });

  it('a serial queue runs its jobs one at a time, in the order added, across the fleet', async () => {
    const { out } = setUp('queue');
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'serial_queue',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 4 } },
    });
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(3, writeConfig(fleetTest.dir, config));

    const queued = await service.addMany('record', Array.from({ length: 30 }, () => ({ ms: 5 })), { queue: 'customer-7' });
    const plain = await service.addMany('record', Array.from({ length: 30 }, () => ({ ms: 5 })));
    await poll(async () => (await service.jobs.countByStatus()).completed === 60, { timeout: 60_000, what: 'all 60 jobs completed', detail: () => fleet.output() });

    const runs = readRuns(out);
    const inQueue = new Set(queued);
    const queueRuns = runs.filter((line) => inQueue.has(line.id));
    // Never two at once: each start is followed by its own end before the next start.
    expect(maxOverlap(queueRuns)).toBe(1);
    expect(queueRuns.filter((line) => line.kind === 'start').map((line) => line.id)).toEqual(queued);
    expect(plain.filter((id) => countsById(runs, 'end').get(id) !== 1)).toEqual([]);
  });
});
