/**
 * A worker process of the processes workload: connects to a PostgreSQL database that the
 * benchmark has filled, prints `READY worker`, starts processing when it reads `GO` on its
 * standard input, and stops (its jobs finished, its connections closed) on SIGTERM.
 *
 * BENCH_SYSTEM: `remotetask` (a kernel with the `@Bench` service, as `remotetask worker` runs
 * it) or `floor` (the raw SQL loop). BENCH_PG_URL: the database. BENCH_CONCURRENCY: jobs at once.
 */
import { createKernel, createLogger } from '../../core/index.js';
import { FloorPostgresSystem } from '../systems/floor-postgres.js';
import { benchPlugin, benchServices, BENCH_SERVICE } from '../systems/remotetask.js';

const url = process.env.BENCH_PG_URL;
if (!url) throw new Error('BENCH_PG_URL is not set: the worker needs the database the benchmark filled');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const system = process.env.BENCH_SYSTEM ?? 'remotetask';

let start: () => void;
let stop: () => Promise<void>;
if (system === 'floor') {
  const floor = new FloorPostgresSystem();
  floor.attach(url, concurrency);
  start = () => void floor.startWorkers();
  stop = () => floor.close();
} else if (system === 'remotetask') {
  const kernel = await createKernel(
    {
      store: { kind: 'postgres', url },
      plugins: [benchPlugin],
      sites: { '': { services: benchServices(1, concurrency) } },
      autostart: [],
    },
    { autostart: false, logger: createLogger({ level: 'error' }) },
  );
  const service = kernel.getService(BENCH_SERVICE);
  start = () => service.startProcessing();
  stop = async () => {
    await service.stopProcessing();
    await kernel.close();
  };
} else {
  throw new Error(`BENCH_SYSTEM must be remotetask or floor, not ${system}`);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  if (text.includes('GO')) start();
});
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  stop().finally(() => process.exit(0));
});
process.stdout.write('READY worker\n');
