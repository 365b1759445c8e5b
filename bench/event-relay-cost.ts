/**
 * What cross-process job events cost on PostgreSQL: the same kernel drains 20,000 queued jobs
 * (multi processor, c=32) with its events published to the other processes and without, rounds
 * alternating in one run (nobody else subscribes: as a worker of a fleet); then how long a
 * `completed` event takes from the worker's outcome to a subscriber of another store instance (its
 * own connections, through the database; in this same Node process, so it shares the CPU).
 *
 *     npx tsx bench/event-relay-cost.ts
 */
import { createKernel, type Kernel, type NewJob } from '../core/index.js';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { captureLog } from '../test/helpers/capture-log.js';

const JOBS = 20_000;
const ROUNDS = 3;

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('event_relay_cost');
  const config = (autostart: string[]) => ({
    store: { kind: 'postgres' as const, url: database.url, schema: 'bench', poolSize: 10 },
    plugins: ['echo'],
    sites: { '': { services: { S: { processor: 'multi' as const, maxConcurrency: 32 } } } },
    autostart,
  });
  const watcher = await createKernel(config([]), { logger: captureLog().logger });
  const figures: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const latencies: number[] = [];
  try {
    for (let round = 0; round <= ROUNDS * 2; round++) {
      // The last round measures delivery to the watcher; the others throughput alone.
      const latencyRound = round === ROUNDS * 2;
      const relay = round % 2 === 0 ? 'on' : 'off';
      const kernel: Kernel = await createKernel(config([]), { logger: captureLog().logger });
      if (relay === 'off') kernel.events.publishTo(undefined);
      const service = kernel.getService('@S');
      const now = Date.now();
      const jobs: NewJob[] = Array.from({ length: JOBS }, (_, n) => ({
        service: '@S', task: 'echo', input: { n }, status: 'queued', maxAttempts: 1, created: now, runAt: 0, schedule: null,
      }));
      for (let at = 0; at < JOBS; at += 5_000) await kernel.store.insertMany(jobs.slice(at, at + 5_000));
      let completed = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const stop = kernel.events.on((event) => {
        if (event.type === 'completed' && ++completed === JOBS) done();
      });
      const seen = latencyRound
        ? watcher.events.on((event) => {
            if (event.type === 'completed') latencies.push(Date.now() - event.time);
          })
        : () => {};
      const started = performance.now();
      await service.startProcessing();
      await finished;
      const seconds = (performance.now() - started) / 1000;
      if (!latencyRound) figures[relay].push(JOBS / seconds);
      stop();
      seen();
      await kernel.close();
      await watcher.store.clean('@S', ['completed']);
      console.log(`round ${round + 1}: events to other processes ${relay}: ${Math.round(JOBS / seconds)} jobs/s`);
    }
  } finally {
    await watcher.close();
    await database.drop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const on = median(figures.on);
  const off = median(figures.off);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(`median: on ${Math.round(on)} jobs/s, off ${Math.round(off)} jobs/s, on/off ${(on / off).toFixed(3)}`);
  console.log(`completed event, outcome to another instance's subscriber: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (${latencies.length} events)`);
}

await main();
