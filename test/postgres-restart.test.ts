/**
 * PostgreSQL restarted under running workers: every accepted job still completes (at least once),
 * the workers survive and carry on by themselves, and a job added while the database is down is
 * refused with an error that says so — nothing of it is left behind. The outage is made to outlast
 * the (1 s) leases, so the hard case happens too: runs that ended while the database was gone lose
 * their outcome, are recovered by the workers' sweepers once it is back, and run again.
 *
 * The server here is a throwaway cluster of this file's own (test/helpers/temporary-postgres.ts),
 * stopped with `-m immediate` — to its clients, a crash — never the shared server other test files use.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { countsById, Fleet, fleetConfig, isAlive, poll, readRuns, writeConfig } from './fixtures/worker-fleet.js';
import { captureLog } from './helpers/capture-log.js';
import { createTemporaryDatabase, startTemporaryCluster, type TemporaryCluster } from './helpers/temporary-postgres.js';

const JOBS = 400;

let cluster: TemporaryCluster | undefined;
const fleet = new Fleet();
let kernel: Kernel | undefined;
let dir: string | undefined;

beforeAll(async () => {
  cluster = await startTemporaryCluster();
}, 60_000);

afterAll(async () => {
  await fleet.killAll();
  await kernel?.close();
  await cluster?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL store: the database restarts while workers run', { timeout: 90_000 }, () => {
  it('every job completes, the workers carry on, and an add during the outage fails clearly without leaving anything', async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-pg-restart-'));
    const out = join(dir, 'runs.log');
    writeFileSync(out, '');
    const database = await createTemporaryDatabase('restart', cluster!.url());
    const config = fleetConfig({
      url: database.url,
      schema: 'remotetask',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 4 } },
    });
    kernel = await createKernel({ ...config, autostart: [] }, { logger: captureLog().logger, sweepInterval: 3_600_000 });
    const service = kernel.getService('@Svc');
    const workers = await fleet.start(3, writeConfig(dir, config));

    const accepted = new Set<number>();
    // 150 ms each, 12 at a time: about 5 s of work, so the crash below lands in the middle of it
    // even on a loaded machine (with 50 ms, the last jobs sometimes ended while the stop ran).
    for (let n = 0; n < JOBS; n++) accepted.add(await service.add('record', { ms: 150 }));
    const ended = () => countsById(readRuns(out), 'end').size;
    await poll(() => ended() >= 40, { what: 'the first jobs to end', detail: () => fleet.output() });

    // The crash, in the middle of the run.
    await cluster!.stop('immediate');
    const left = JOBS - ended();
    expect(left).toBeGreaterThan(0);

    // The database is gone: adding fails, and says why (where, not the URL's password).
    const refused = service.add('record', { ms: 0 });
    await expect(refused).rejects.toThrow(new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${cluster!.port} is not reachable`));

    // The outage lasts until it has outlasted the leases: every worker's processor has found it
    // cannot claim, and some worker has given up recording a finished job's outcome (it retries
    // only while the lease lasts). Those jobs are still `processing` under an expired lease.
    const lapsed = () => new Set([...fleet.output().matchAll(/job (\d+) could not be finished/g)].map((match) => Number(match[1])));
    await poll(() => lapsed().size > 0 && workers.every((worker) => /claiming jobs failed/.test(worker.output())), {
      what: 'the workers to notice the outage and the leases to lapse',
      detail: () => fleet.output(),
    });
    const lapsedIds = lapsed();

    await cluster!.start();

    // The workers find the database again on their own; every accepted job completes.
    await poll(async () => (await service.jobs.countByStatus()).completed === accepted.size, {
      timeout: 40_000,
      interval: 100,
      what: `all ${accepted.size} jobs completed after the restart`,
      detail: () => fleet.output(),
    });
    const ends = countsById(readRuns(out), 'end');
    expect([...accepted].filter((id) => (ends.get(id) ?? 0) < 1)).toEqual([]);

    // Nothing half-written: the store holds exactly the jobs whose add succeeded.
    const jobs = await service.jobs.all();
    expect(jobs.map((job) => job.id).sort((a, b) => a - b)).toEqual([...accepted].sort((a, b) => a - b));
    expect(jobs.filter((job) => job.status !== 'completed')).toEqual([]);
    // At least once: a job whose first run ended during the outage, its outcome lost, was recovered
    // once its lease expired and ran again, that attempt counted.
    for (const job of jobs.filter((j) => lapsedIds.has(j.id))) {
      expect({ id: job.id, attempts: job.attempts, ends: ends.get(job.id) }).toEqual({ id: job.id, attempts: 2, ends: 2 });
    }
    expect(fleet.output()).toMatch(/recovered \d+ job\(s\) whose worker stopped renewing its lease/);

    // Adding works again, and the workers, still the same processes, run it.
    const after = await service.add('record', { ms: 0 });
    await poll(async () => (await service.getStatus(after)) === 'completed', { what: `job ${after} to complete` });
    expect(workers.every(isAlive)).toBe(true);
  });
});
