/**
 * What one enqueue costs on PostgreSQL: awaited `service.add` calls one after another (each its
 * own insert statement and commit), on a kernel whose events go to the other processes, with a
 * second store instance on the same schema listening (as a fleet's server would). Rounds of
 * `ADDS` adds; the median round is reported.
 *
 *     npx tsx bench/pg-enqueue-cost.ts [adds per round] [rounds]
 */
import { createKernel } from '../core/index.js';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { captureLog } from '../test/helpers/capture-log.js';

const ADDS = Number(process.argv[2] ?? 2_000);
const ROUNDS = Number(process.argv[3] ?? 5);

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('enqueue_cost');
  const config = {
    store: { kind: 'postgres' as const, url: database.url, schema: 'bench', poolSize: 10 },
    plugins: ['echo'],
    sites: { '': { services: { S: {} } } },
    autostart: [],
  };
  const kernel = await createKernel(config, { logger: captureLog().logger });
  // Another process's view: its relay wants the events (someone watches it).
  const watcher = await createKernel(config, { logger: captureLog().logger });
  let added = 0;
  const stop = watcher.events.on((event) => {
    if (event.type === 'added') added++;
  });
  const service = kernel.getService('@S');
  const rates: number[] = [];
  try {
    for (let n = 0; n < 200; n++) await service.add('echo', { n });
    for (let round = 1; round <= ROUNDS; round++) {
      const started = performance.now();
      for (let n = 0; n < ADDS; n++) await service.add('echo', { n });
      const rate = ADDS / ((performance.now() - started) / 1000);
      rates.push(rate);
      console.log(`round ${round}: ${Math.round(rate)} adds/s`);
    }
  } finally {
    stop();
    await watcher.close();
    await kernel.close();
    await database.drop();
  }
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(`median: ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} single adds/s (${ADDS} per round, ${ROUNDS} rounds); added events seen by the other instance: ${added}`);
}

await main();
