/**
 * Cron jobs across worker processes on one PostgreSQL database: each occurrence runs once, on
 * one worker, however many workers race for it; occurrences missed while no worker ran follow
 * `missedCron`; a cron job declared in the config exists once however many workers boot with it.
 *
 * A real schedule is too slow for a test (the fastest one fires once a minute) and a fake clock
 * cannot span processes. So the cron jobs here have a schedule that is never due during the test
 * (midnight on the first of a month months away), and the test makes an occurrence due itself: it
 * sets the jobs' `runAt` to now through the store, exactly as a due occurrence looks to the
 * workers, whose claim then moves it to the next one. The store's NOTIFY wakes all three workers
 * at once, so all three race for every occurrence. Between occurrences the test waits until the
 * store shows that no worker can claim the job any more (not leased, next run months away): a
 * second run of the same occurrence could only come before that point, so the count it reads then
 * is final.
 *
 * "Workers that start at the same moment" is made exact with a barrier (`startTogether`): the test
 * holds the jobs table locked while the workers boot, so each stops at its first statement on it.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { countsById, fleetConfig, isAlive, poll, readRuns, useFleetTest, writeConfig } from './fixtures/worker-fleet.js';

/** Due once a year, about half a year from now: no occurrence falls due by itself while the test runs. */
const FAR_OFF = { cron: `0 0 1 ${((new Date().getUTCMonth() + 6) % 12) + 1} *` };
const CRON_JOBS = 8;
const OCCURRENCES = 5;

const fleetTest = useFleetTest('cron');
const { fleet, setUp, observer } = fleetTest;

describe('PostgreSQL store: cron jobs with many workers', { timeout: 60_000 }, () => {
  it(`runs each occurrence once: ${CRON_JOBS} cron jobs, ${OCCURRENCES} occurrences each, three workers racing`, async () => {
    const { out } = setUp('cron');
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'cron_race',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 4 } },
    });
    const k = await observer(config);
    const service = k.getService('@Svc');
    const workers = await fleet.start(3, writeConfig(fleetTest.dir, config));

    const ids: number[] = [];
    for (let n = 0; n < CRON_JOBS; n++) ids.push(await service.addCronJob('record', { n }, FAR_OFF));
    const farOff = (await service.getJob(ids[0])).runAt;
    expect(farOff).toBeGreaterThan(Date.now() + 60_000);

    for (let occurrence = 1; occurrence <= OCCURRENCES; occurrence++) {
      // Every cron job falls due at once.
      const due = Date.now();
      await Promise.all(ids.map((id) => k.store.reschedule(id, due)));
      await poll(
        async () => {
          const ends = countsById(readRuns(out), 'end');
          if (!ids.every((id) => (ends.get(id) ?? 0) >= occurrence)) return false;
          // Nobody holds any of them and their next run is months away: no claim of this occurrence can come any more.
          const jobs = await Promise.all(ids.map((id) => service.getJob(id)));
          return jobs.every((job) => job.lockedBy === null && job.runAt >= farOff);
        },
        { what: `occurrence ${occurrence} of every cron job to run and be over`, detail: () => fleet.output() },
      );
      const starts = countsById(readRuns(out), 'start');
      expect(ids.map((id) => starts.get(id))).toEqual(ids.map(() => occurrence));
    }

    const runs = readRuns(out);
    expect(runs.filter((line) => line.kind === 'abort')).toEqual([]);
    // Each run: a start and its end on the same worker, the attempt counter back at zero between occurrences.
    for (const id of ids) {
      const own = runs.filter((line) => line.id === id);
      expect(own).toHaveLength(2 * OCCURRENCES);
      for (let i = 0; i < own.length; i += 2) {
        expect(own[i]).toMatchObject({ kind: 'start', attempt: 1 });
        expect(own[i + 1]).toMatchObject({ kind: 'end', pid: own[i].pid });
      }
      const job = await service.getJob(id);
      expect(job).toMatchObject({ status: 'cronjob', attempts: 0, lockedBy: null, error: null, runAt: farOff });
      expect(job.result).toEqual({ pid: own[own.length - 1].pid });
    }
    expect(workers.every(isAlive)).toBe(true);
  });

  /**
   * Starts three workers "at the same moment", made exact: while the test holds the schema's jobs
   * table locked, each booting worker stops at its first statement on the jobs; once `waiters` such
   * statements wait, the lock goes and they all go on together. Resolves when the workers run.
   */
  async function startTogether(schema: string, configFile: string, waiters = 3): Promise<void> {
    const barrier = new pg.Client({ connectionString: fleetTest.url });
    // Another connection watches: inside the barrier's transaction, pg_stat_activity stays frozen.
    const watcher = new pg.Client({ connectionString: fleetTest.url });
    await Promise.all([barrier.connect(), watcher.connect()]);
    try {
      await barrier.query('BEGIN');
      await barrier.query(`LOCK TABLE ${schema}.jobs IN ACCESS EXCLUSIVE MODE`);
      const booted = fleet.start(3, configFile);
      booted.catch(() => undefined);
      const waiting = async () =>
        (
          await watcher.query<{ count: number }>(
            "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows[0].count;
      await poll(async () => (await waiting()) >= waiters, { what: `${waiters} statements of booting workers to wait at the jobs table`, detail: () => fleet.output() });
      await barrier.query('COMMIT');
      await booted;
    } finally {
      await Promise.all([barrier.end(), watcher.end()]);
    }
  }

  /**
   * A cron job due ten minutes ago while no worker ran — as far as anyone can tell, ten occurrences
   * of an every-minute schedule were missed — then three workers start. Resolves once the job is
   * free and due months from now: whatever ran for it has ended by then.
   */
  async function missedWhileDown(schema: string, missedCron: 'run-once' | 'skip', start: (configFile: string) => Promise<unknown>) {
    const { out } = setUp(schema);
    const config = fleetConfig({ url: fleetTest.url, schema, out, services: { Svc: { missedCron } } });
    const k = await observer(config);
    const id = await k.getService('@Svc').addCronJob('record', { missedCron }, FAR_OFF);
    const farOff = (await k.store.get(id))!.runAt;
    const missedAt = Date.now() - 10 * 60_000;
    await k.store.reschedule(id, missedAt);

    await start(writeConfig(fleetTest.dir, config));
    await poll(
      async () => {
        const job = await k.store.get(id);
        return job!.lockedBy === null && job!.runAt >= farOff;
      },
      { what: `cron job ${id} to move on to its next, far-off occurrence`, detail: () => fleet.output() },
    );
    const runs = readRuns(out);
    return { id, k, farOff, missedAt, starts: countsById(runs, 'start').get(id) ?? 0, ends: countsById(runs, 'end').get(id) ?? 0 };
  }

  it("occurrences missed while every worker was down, missedCron 'run-once' (the default): one catch-up run on one worker, then the next occurrence", async () => {
    const { id, k, farOff, starts, ends } = await missedWhileDown('cron_run_once', 'run-once', (file) => fleet.start(3, file));
    expect({ starts, ends }).toEqual({ starts: 1, ends: 1 });
    expect(await k.store.get(id)).toMatchObject({ status: 'cronjob', runAt: farOff, attempts: 0, error: null });
  });

  it("occurrences missed while every worker was down, missedCron 'skip': no run, the job moves on to its next future occurrence", async () => {
    // The workers start together, so that each one's skipping and each one's processor meet.
    const { id, k, farOff, missedAt, starts } = await missedWhileDown('cron_skip', 'skip', (file) => startTogether('cron_skip', file));
    expect(starts, `runs of the skipped cron job ${id}`).toBe(0);
    expect(fleet.output()).toMatch(
      new RegExp(`cron job ${id} \\(task record\\) missed its run at ${new Date(missedAt).toISOString()}; skipped to`),
    );
    expect(await k.store.get(id)).toMatchObject({ status: 'cronjob', runAt: farOff, attempts: 0, result: null });
  });

  it('a cron job declared in the config exists once when several workers boot from that config at the same moment', async () => {
    const { out } = setUp('cron-declared');
    const declared = { task: 'record', input: { declared: true }, ...FAR_OFF };
    const config = fleetConfig({ url: fleetTest.url, schema: 'cron_declared', out, services: { Svc: { cron: [declared] } } });
    // The test process makes the schema, without the declaration (it must not add the job itself).
    const k = await observer(fleetConfig({ url: fleetTest.url, schema: 'cron_declared', out, services: { Svc: {} } }));
    // Each worker stops where it looks for the declared job, finding it missing; then all go on.
    await startTogether('cron_declared', writeConfig(fleetTest.dir, config));
    const jobs = await k.getService('@Svc').jobs.all();
    expect(jobs.map((job) => ({ status: job.status, input: job.input }))).toEqual([{ status: 'cronjob', input: { declared: true } }]);
  });
});
