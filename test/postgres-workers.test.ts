/**
 * Issue 3, with real processes: several `remotetask worker` processes share one PostgreSQL
 * database. They drain a queue together with every job run once; a worker killed with `kill -9`
 * loses nothing (its job runs again elsewhere once the lease expires); a worker stopped with
 * SIGTERM hands its running job back without spending an attempt, and another worker finishes it.
 *
 * Each test has its own schema in this file's database, its own run log and its own workers; the
 * test process boots a kernel without autostart to add and read jobs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NewJob } from '../core/index.js';
import { countsById, exitWithin, fleetConfig, isAlive, poll, readRuns, useFleetTest, writeConfig } from './fixtures/worker-fleet.js';

const fleetTest = useFleetTest('workers');
const { fleet, setUp, observer } = fleetTest;

describe('PostgreSQL store: many worker processes', { timeout: 90_000 }, () => {
  it('three workers drain 5,000 jobs, each completed exactly once, all three taking part', async () => {
    const { out } = setUp('drain');
    // The workers' config names no PostgreSQL at all: REMOTETASK_STORE points them at it, as on a fleet.
    const workerConfig = fleetConfig({
      url: 'unused',
      schema: 'unused',
      out,
      services: { Svc: { processor: 'multi', maxConcurrency: 8 } },
    });
    const configFile = writeConfig(fleetTest.dir, { ...workerConfig, store: { kind: 'memory' } });
    const workers = await fleet.start(3, configFile, { REMOTETASK_STORE: fleetTest.url });

    const k = await observer({ ...workerConfig, store: { kind: 'postgres', url: fleetTest.url, poolSize: 4 } });
    const service = k.getService('@Svc');
    const now = Date.now();
    const batch: NewJob[] = Array.from({ length: 5_000 }, (_, n) => ({
      service: service.address, task: 'record', input: { n }, status: 'queued', maxAttempts: 3, created: now, runAt: 0, schedule: null,
    }));
    const ids = (await k.store.insertMany(batch)).map((job) => job.id);
    expect(new Set(ids).size).toBe(5_000);

    await poll(async () => (await service.jobs.countByStatus()).completed === 5_000, {
      timeout: 60_000,
      interval: 200,
      what: 'all 5,000 jobs completed',
      detail: () => fleet.output(),
    });

    const runs = readRuns(out);
    const starts = countsById(runs, 'start');
    const ends = countsById(runs, 'end');
    expect(starts.size).toBe(5_000);
    expect(ends.size).toBe(5_000);
    expect(ids.filter((id) => starts.get(id) !== 1 || ends.get(id) !== 1)).toEqual([]);
    expect(runs.filter((line) => line.kind === 'abort')).toEqual([]);

    const jobs = await service.jobs.all();
    expect(jobs).toHaveLength(5_000);
    expect(jobs.filter((job) => job.status !== 'completed' || job.attempts !== 1 || job.lockedBy !== null)).toEqual([]);
    // The result names the process that ran the job: the same one the run log names.
    const endPid = new Map(runs.filter((line) => line.kind === 'end').map((line) => [line.id, line.pid]));
    expect(jobs.filter((job) => (job.result as { pid: number }).pid !== endPid.get(job.id))).toEqual([]);

    const pids = new Set(runs.map((line) => line.pid));
    expect([...pids].sort()).toEqual(workers.map((w) => w.pid).sort());
    expect(workers.every(isAlive)).toBe(true);
  });

  it('kill -9 of a worker in the middle of a job: the job completes on another worker after its lease expires, nothing is lost', async () => {
    const { out } = setUp('kill');
    const gate = join(fleetTest.dir, 'gate');
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'kill9',
      out,
      // One job at a time per worker: when the kill comes, the victim holds the gated job and
      // nothing else (with more, a short job whose run had ended but whose outcome was not yet
      // stored would run again too — rightly, but the test could not tell which).
      services: { Svc: { processor: 'simple' } },
    });
    const configFile = writeConfig(fleetTest.dir, config);
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(3, configFile);

    // One job that holds until the gate opens — the one in the middle when the kill comes — and
    // 60 short ones around it.
    const held = await service.add('record', { gate });
    const others: number[] = [];
    for (let n = 0; n < 60; n++) others.push(await service.add('record', { ms: 20 }));
    const ids = [held, ...others];

    await poll(() => readRuns(out).some((line) => line.kind === 'start' && line.id === held), { what: `job ${held} to start` });
    const victimPid = readRuns(out).find((line) => line.kind === 'start' && line.id === held)!.pid;
    const victim = fleet.byPid(victimPid);
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    writeFileSync(gate, '');

    await poll(async () => (await service.jobs.countByStatus()).completed === ids.length, {
      timeout: 30_000,
      what: `all ${ids.length} jobs completed`,
      detail: () => fleet.output(),
    });

    const runs = readRuns(out);
    const ends = countsById(runs, 'end');
    expect(ids.filter((id) => (ends.get(id) ?? 0) < 1)).toEqual([]);
    const heldRuns = runs.filter((line) => line.id === held);
    expect(heldRuns.filter((line) => line.kind === 'end').map((line) => line.pid)).not.toContain(victimPid);
    // The second run of the held job is its second attempt, and the store counts both.
    expect(heldRuns.filter((line) => line.kind === 'start').map((line) => line.attempt)).toEqual([1, 2]);
    const jobs = await service.jobs.all();
    expect(jobs.every((job) => job.status === 'completed')).toBe(true);
    const startsOf = (id: number) => runs.filter((line) => line.id === id && line.kind === 'start').map((line) => `${line.pid}#${line.attempt}`);
    // Only the held job ran twice; every other job once.
    for (const job of jobs) {
      expect({ id: job.id, attempts: job.attempts }, `runs of job ${job.id} (pid#attempt): ${startsOf(job.id).join(', ')}`).toEqual({
        id: job.id,
        attempts: job.id === held ? 2 : 1,
      });
    }
    // A surviving worker's sweeper gave the lost lease back (the test process sweeps nothing).
    expect(fleet.output()).toMatch(/recovered \d+ job\(s\) whose worker stopped renewing its lease/);
  });

  it('SIGTERM in the middle of a job longer than stopTimeout: the worker exits 0, the job is handed back unspent and another worker completes it', async () => {
    const { out } = setUp('term');
    const gates = { a: join(fleetTest.dir, 'gate-a'), b: join(fleetTest.dir, 'gate-b') };
    const stopTimeout = 1_000;
    const abortGrace = 2_000;
    const config = fleetConfig({
      url: fleetTest.url,
      schema: 'sigterm',
      out,
      // One job at a time per worker: the second worker, busy with its own job, cannot take the
      // handed-back one before the test has looked at it.
      services: { Svc: { processor: 'simple' } },
      defaults: { stopTimeout, abortGrace },
    });
    const configFile = writeConfig(fleetTest.dir, config);
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(2, configFile);

    const first = await service.add('record', { gate: gates.a });
    const second = await service.add('record', { gate: gates.b });
    await poll(() => countsById(readRuns(out), 'start').size === 2, { what: 'both jobs to start' });
    const startOf = (id: number) => readRuns(out).find((line) => line.kind === 'start' && line.id === id)!;
    const stopped = fleet.byPid(startOf(first).pid);
    const other = fleet.byPid(startOf(second).pid);
    expect(stopped.pid).not.toBe(other.pid);
    expect(startOf(first).attempt).toBe(1);

    stopped.child.kill('SIGTERM');
    // The job holds until its gate opens, which it never does here: the worker must give up on it
    // after stopTimeout, abort it and hand it back. The bound leaves room for a slow machine.
    expect(await exitWithin(stopped, stopTimeout + abortGrace + 10_000)).toEqual({ code: 0, signal: null });
    expect(stopped.output()).toMatch(/SIGTERM received: stopping/);
    expect(stopped.output()).toMatch(/INFO stopped/);
    expect(readRuns(out).filter((line) => line.id === first).map((line) => `${line.kind} ${line.pid}`)).toEqual([
      `start ${stopped.pid}`,
      `abort ${stopped.pid}`,
    ]);

    // Handed back: waiting in the queue, free, with the interrupted attempt not counted.
    expect(await service.getJob(first)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null, error: null });

    // The other worker finishes its own job, then takes the handed-back one and completes it.
    writeFileSync(gates.b, '');
    writeFileSync(gates.a, '');
    await poll(async () => (await service.getStatus(first)) === 'completed' && (await service.getStatus(second)) === 'completed', {
      what: 'both jobs completed',
      detail: () => fleet.output(),
    });
    const runsOfFirst = readRuns(out).filter((line) => line.id === first);
    expect(runsOfFirst.map((line) => `${line.kind} ${line.pid}${line.attempt === undefined ? '' : ` ${line.attempt}`}`)).toEqual([
      `start ${stopped.pid} 1`,
      `abort ${stopped.pid}`,
      `start ${other.pid} 1`,
      `end ${other.pid}`,
    ]);
    expect(await service.getJob(first)).toMatchObject({ status: 'completed', attempts: 1, result: { pid: other.pid } });
    expect(isAlive(other)).toBe(true);
  });

  it('a cancel from another process reaches the worker running the job: it is aborted there and ends cancelled', async () => {
    const { out } = setUp('cancel');
    const config = fleetConfig({ url: fleetTest.url, schema: 'cancel', out, services: { Svc: { processor: 'multi', maxConcurrency: 2 } } });
    const service = (await observer(config)).getService('@Svc');
    await fleet.start(2, writeConfig(fleetTest.dir, config));

    // Held until a gate that never opens: only the cancel can end it.
    const id = await service.add('record', { gate: join(fleetTest.dir, 'never') });
    await poll(() => readRuns(out).some((line) => line.kind === 'start' && line.id === id), { what: `job ${id} to start` });
    const runner = readRuns(out).find((line) => line.kind === 'start' && line.id === id)!.pid;

    // Asked from the test process: the job runs elsewhere, so the call only records the request.
    expect(await service.cancel(id)).toBe('processing');
    await poll(async () => (await service.getStatus(id)) === 'cancelled', { what: `job ${id} to end cancelled`, detail: () => fleet.output() });
    expect(readRuns(out).filter((line) => line.id === id).map((line) => `${line.kind} ${line.pid}`)).toEqual([`start ${runner}`, `abort ${runner}`]);
    expect(await service.getJob(id)).toMatchObject({ status: 'cancelled', attempts: 1, lockedBy: null, error: 'cancelled while running' });
  });
});
