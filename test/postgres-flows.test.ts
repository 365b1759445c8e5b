/**
 * Issue 16, flows and batches with real processes: three `remotetask worker` processes share one
 * PostgreSQL database. A batch of 500 jobs, 7 of them failing, calls its callback once with
 * 493 / 7 / 0; a flow of 1 → 3 → 1 jobs runs in dependency order across the workers, and a
 * failing middle job cancels the last. The test process adds and reads jobs only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RemotetaskConfig } from '../core/index.js';
import { poll, useFleetTest, writeConfig } from './fixtures/worker-fleet.js';

const FLOW_RECORD_PLUGIN = fileURLToPath(new URL('./fixtures/flow-record-plugin.ts', import.meta.url));

const fleetTest = useFleetTest('flows');
const { fleet, setUp, observer } = fleetTest;

function config(schema: string, out: string): RemotetaskConfig {
  return {
    store: { kind: 'postgres', url: fleetTest.url, schema, poolSize: 4 },
    plugins: [[FLOW_RECORD_PLUGIN, { out }]],
    defaults: { leaseMs: 2_000 },
    sites: { '': { services: { Flows: { processor: 'multi', maxConcurrency: 8 } } } },
    autostart: ['@Flows'],
    log: { level: 'info', format: 'pretty' },
  };
}

/** The run log's lines as [kind, jobId, pid, ...rest]. */
function runLines(out: string): string[][] {
  return readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' '));
}

describe('PostgreSQL store: flows and batches across three worker processes', { timeout: 120_000 }, () => {
  it('a batch of 500 jobs with 7 failing calls its callback once, with 493 completed, 7 failed, 0 cancelled', async () => {
    const { out } = setUp('batch');
    const configFile = writeConfig(fleetTest.dir, config('batch', out));
    const k = await observer(config('batch', out));
    const service = k.getService('@Flows');
    const failing = new Set([3, 77, 150, 222, 301, 420, 499]);
    // Every member holds until the gate opens: a worker holds at most 8 of them (its concurrency),
    // so all three must take some before any ends.
    const gate = join(fleetTest.dir, 'gate');
    const jobs = Array.from({ length: 500 }, (_, n) => ({ task: 'step', input: { fail: failing.has(n), gate } }));
    const { batchId, callbackId, ids } = await service.addBatch({ jobs, callback: { task: 'tally' } });
    expect(await service.getStatus(callbackId)).toBe('blocked');
    const workers = await fleet.start(3, configFile);
    const pids = () => new Set(runLines(out).filter((line) => line[0] === 'start').map((line) => Number(line[2])));
    await poll(() => pids().size === 3, { what: 'each worker to start members of the batch', detail: () => fleet.output() });
    expect(await service.getStatus(callbackId)).toBe('blocked');
    writeFileSync(gate, '');

    await poll(async () => (await service.getStatus(callbackId)) === 'completed', {
      timeout: 90_000, what: 'the batch callback to complete', detail: () => fleet.output(),
    });
    const lines = runLines(out);
    expect(lines.filter((line) => line[0] === 'tally').map((line) => [Number(line[1]), ...line.slice(3)])).toEqual([[callbackId, '493', '7', '0']]);
    // The callback ran after every member ended.
    const tallyAt = lines.findIndex((line) => line[0] === 'tally');
    const ended = new Set(lines.slice(0, tallyAt).filter((line) => line[0] === 'end').map((line) => Number(line[1])));
    expect(ids.filter((id) => !ended.has(id))).toEqual([]);
    expect(await service.getBatch(batchId)).toMatchObject({ size: 500, completed: 493, failed: 7, cancelled: 0, pending: 0 });
    expect(await service.getResult(callbackId)).toMatchObject({ completed: 493, failed: 7, cancelled: 0 });
    expect(pids()).toEqual(new Set(workers.map((worker) => worker.pid)));
  });

  it('a flow of 1 → 3 → 1 runs in dependency order; a failing middle job cancels the last', async () => {
    const { out } = setUp('flow');
    const configFile = writeConfig(fleetTest.dir, config('flow', out));
    const k = await observer(config('flow', out));
    const service = k.getService('@Flows');
    await fleet.start(3, configFile);
    const flow = (failMiddle: boolean) => ({
      jobs: [
        { name: 'convert', task: 'step' },
        ...['thumbnail', 'preview', 'waveform'].map((name, index) => ({ name, task: 'step', input: { fail: failMiddle && index === 1 }, after: ['convert'] })),
        { task: 'step', after: ['thumbnail', 'preview', 'waveform'] },
      ],
    });

    // The observer's event subscribers hear what the workers' ends of parents did to the children.
    const seen: { type: string; jobId: number; error?: string }[] = [];
    k.events.on((event) => seen.push({ type: event.type, jobId: event.jobId, ...(event.error === undefined ? {} : { error: event.error }) }));
    const of = (id: number, type: string) => seen.filter((event) => event.jobId === id && event.type === type);

    const good = (await service.addFlow(flow(false))).map((job) => job.id);
    await poll(async () => (await service.getStatus(good[4])) === 'completed', { what: 'the last job of the flow', detail: () => fleet.output() });
    const lines = runLines(out);
    const at = (kind: string, id: number) => lines.findIndex((line) => line[0] === kind && Number(line[1]) === id);
    for (const middle of good.slice(1, 4)) {
      expect(at('start', middle)).toBeGreaterThan(at('end', good[0]));
      expect(at('start', good[4])).toBeGreaterThan(at('end', middle));
    }

    const bad = (await service.addFlow(flow(true))).map((job) => job.id);
    await poll(async () => (await service.getStatus(bad[4])) === 'cancelled', { what: 'the last job of the failing flow to be cancelled', detail: () => fleet.output() });
    await poll(async () => (await service.getStatus(bad[1])) === 'completed' && (await service.getStatus(bad[3])) === 'completed', { what: 'the other middle jobs' });
    expect(await service.getStatus(bad[2])).toBe('error');
    expect(await service.getError(bad[4])).toBe(`cancelled: its parent job ${bad[2]} ended error`);
    expect(at('start', bad[4])).toBe(-1);
    expect(runLines(out).some((line) => line[0] === 'start' && Number(line[1]) === bad[4])).toBe(false);
    // Released once each (the middle jobs when convert ended, the last when all three had), and the
    // last of the failing flow cancelled once, with why.
    await poll(() => of(bad[4], 'cancelled').length > 0, { what: 'the cancelled event of the failing flow\'s last job' });
    for (const id of good.slice(1)) expect(of(id, 'released')).toHaveLength(1);
    expect(of(bad[4], 'cancelled')).toEqual([{ type: 'cancelled', jobId: bad[4], error: `cancelled: its parent job ${bad[2]} ended error` }]);
    expect(of(bad[4], 'released')).toEqual([]);
  });
});
