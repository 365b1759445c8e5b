/**
 * What a fleet-wide limit costs when it does not bind: the same kernel drains the same queued
 * jobs (multi processor, c=32) with no limit on the task, and with a concurrency limit far above
 * what runs (every job then passes its gate: the gated claim, under the gate's advisory lock on
 * PostgreSQL), rounds alternating in one run, on PostgreSQL and on SQLite. Reported: the median
 * jobs/s of each and their ratio (the target: a limit that does not bind within 15 % of none).
 *
 *     npx tsx bench/limits-cost.ts [jobs per round, default 20000] [rounds per variant, default 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, type RemotetaskConfig } from '../core/index.js';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { captureLog } from '../test/helpers/capture-log.js';

const JOBS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const VARIANTS = ['none', 'concurrency 10000'] as const;
type Variant = (typeof VARIANTS)[number];

async function drain(store: RemotetaskConfig['store'], variant: Variant): Promise<number> {
  const limits = variant === 'none' ? undefined : { echo: { concurrency: 10_000 } };
  const kernel = await createKernel(
    { store, plugins: ['echo'], sites: { '': { services: { S: { processor: 'multi', maxConcurrency: 32, ...(limits ? { limits } : {}) } } } }, autostart: [] },
    { logger: captureLog().logger },
  );
  try {
    const service = kernel.getService('@S');
    await service.clean(['completed']);
    for (let at = 0; at < JOBS; at += 1_000) await service.addMany('echo', Array.from({ length: Math.min(1_000, JOBS - at) }, (_, n) => ({ n: at + n })));
    let completed = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const stop = kernel.events.on((event) => {
      if (event.type === 'completed' && ++completed === JOBS) done();
    });
    const started = performance.now();
    service.startProcessing();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    stop();
    await service.stopProcessing();
    return JOBS / seconds;
  } finally {
    await kernel.close();
  }
}

async function measure(name: string, store: RemotetaskConfig['store']): Promise<void> {
  const figures: Record<Variant, number[]> = { none: [], 'concurrency 10000': [] };
  for (let round = 0; round < ROUNDS * VARIANTS.length; round++) {
    const variant = VARIANTS[round % VARIANTS.length];
    const rate = await drain(store, variant);
    figures[variant].push(rate);
    console.log(`${name} round ${round + 1}: limit ${variant}: ${Math.round(rate)} jobs/s`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const none = median(figures.none);
  const limited = median(figures['concurrency 10000']);
  console.log(`${name} median: no limit ${Math.round(none)} jobs/s, non-binding limit ${Math.round(limited)} jobs/s, limited/none ${(limited / none).toFixed(3)}`);
}

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('limits_cost');
  const dir = mkdtempSync(join(tmpdir(), 'remotetask-limits-cost-'));
  try {
    await measure('PostgreSQL', { kind: 'postgres', url: database.url, schema: 'bench', poolSize: 10 });
    await measure('SQLite', { kind: 'sqlite', path: join(dir, 'jobs.db') });
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
