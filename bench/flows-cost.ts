/**
 * What dependencies cost on the finish path, on PostgreSQL: the same kernel (multi processor,
 * c=32) drains N jobs added as plain jobs (addMany) and the same N as one batch with a callback
 * (addBatch: every member's end runs the dependency trigger's statement, and the callback's row
 * takes one update per member), rounds alternating in one run; the clock runs from starting the
 * processor until the last job ended. Adding is timed too (one addMany / one addBatch of N).
 *
 *     npx tsx bench/flows-cost.ts [N]      # N defaults to 5,000 (at most 9,999: one batch)
 */
import { createKernel, definePlugin, SimpleTask } from '../core/index.js';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { captureLog } from '../test/helpers/capture-log.js';

const JOBS = Number(process.argv[2] ?? 5_000);
const ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('flows_cost');
  let ended = 0;
  let done: () => void = () => {};
  const counting = definePlugin({
    name: 'counting',
    register(ctx) {
      ctx.addTask('count', new SimpleTask(() => {
        if (++ended === JOBS + 1) done();
        return null;
      }));
    },
  });
  const config = {
    store: { kind: 'postgres' as const, url: database.url, schema: 'bench', poolSize: 10 },
    plugins: [counting],
    sites: { '': { services: { S: { processor: 'multi' as const, maxConcurrency: 32 } } } },
    autostart: [] as string[],
  };
  const figures: Record<'plain' | 'batch', { add: number[]; drain: number[] }> = { plain: { add: [], drain: [] }, batch: { add: [], drain: [] } };
  try {
    for (let round = 0; round < ROUNDS * 2; round++) {
      const kind = round % 2 === 0 ? 'plain' : 'batch';
      const kernel = await createKernel(config, { logger: captureLog().logger });
      const service = kernel.getService('@S');
      const inputs = Array.from({ length: JOBS }, (_, n) => ({ n }));
      let added = performance.now();
      if (kind === 'plain') await service.addMany('count', [...inputs, { n: JOBS }]);
      else await service.addBatch({ jobs: inputs.map((input) => ({ task: 'count', input })), callback: { task: 'count' } });
      added = performance.now() - added;
      ended = 0;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const started = performance.now();
      service.startProcessing();
      await finished;
      const seconds = (performance.now() - started) / 1000;
      figures[kind].add.push((JOBS + 1) / (added / 1000));
      figures[kind].drain.push((JOBS + 1) / seconds);
      await kernel.store.clean('@S', ['completed']);
      await kernel.close();
    }
  } finally {
    await database.drop();
  }
  const line = (kind: 'plain' | 'batch') =>
    `${kind.padEnd(6)} add ${Math.round(median(figures[kind].add)).toLocaleString('en')} jobs/s, drain ${Math.round(median(figures[kind].drain)).toLocaleString('en')} jobs/s ` +
    `(runs: ${figures[kind].drain.map((value) => Math.round(value)).join(', ')})`;
  console.log(`${JOBS.toLocaleString('en')} jobs (+1), PostgreSQL, multi c=32, median of ${ROUNDS}`);
  console.log(line('plain'));
  console.log(line('batch'));
  console.log(`batch / plain drain: ${(median(figures.batch.drain) / median(figures.plain.drain)).toFixed(2)}`);
}

await main();
