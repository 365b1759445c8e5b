/**
 * What an enqueue costs on PostgreSQL, through the service: awaited `service.add` calls one after
 * another (each its own insert statement and commit), then `addMany` calls of 1,000 jobs; on a
 * kernel whose events go to the other processes, with a second kernel on the same schema whose
 * events are watched (as a fleet's server's would be), so it receives every `added`. Rounds of
 * each; the median round is reported. Run it on two commits to compare them.
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
  const batchRates: number[] = [];
  try {
    for (let n = 0; n < 200; n++) await service.add('echo', { n });
    for (let round = 1; round <= ROUNDS; round++) {
      const started = performance.now();
      for (let n = 0; n < ADDS; n++) await service.add('echo', { n });
      const rate = ADDS / ((performance.now() - started) / 1000);
      rates.push(rate);
      const batchStarted = performance.now();
      for (let n = 0; n < 5; n++) await service.addMany('echo', Array.from({ length: 1_000 }, (_, i) => ({ i })));
      const batchRate = 5_000 / ((performance.now() - batchStarted) / 1000);
      batchRates.push(batchRate);
      console.log(`round ${round}: ${Math.round(rate)} single adds/s, ${Math.round(batchRate)} jobs/s in addMany of 1,000`);
    }
    // Every add's event reaches the other kernel (a bound, not a sleep): the count says nothing was lost.
    const total = 200 + ROUNDS * (ADDS + 5_000);
    for (const deadline = Date.now() + 30_000; added < total && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    stop();
    await watcher.close();
    await kernel.close();
    await database.drop();
  }
  const median = (values: number[]) => Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
  console.log(
    `median: ${median(rates)} single adds/s (${ADDS} a round), ${median(batchRates)} jobs/s in addMany of 1,000 (5 a round); ${ROUNDS} rounds; ` +
      `added events the other kernel received: ${added} of ${200 + ROUNDS * (ADDS + 5_000)}`,
  );
}

await main();
