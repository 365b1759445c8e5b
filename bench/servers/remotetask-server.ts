/**
 * A remotetask server for the HTTP and memory workloads, in its own process: the kernel with the
 * http plugin (as `remotetask serve` boots it) and the benchmark's no-op task. The benchmark runs
 * it compiled (bundled with esbuild, as an installed package runs compiled JavaScript), not under
 * tsx, whose loader thread would add its own memory. Prints
 * `READY <url>` once it listens; stops on SIGTERM.
 *
 * BENCH_STORE: `sqlite:<path>` or a `postgres://` URL. BENCH_PROCESSING: the service's
 * maxConcurrency, or 0 (default) for a server that only takes jobs in.
 */
import { fileURLToPath } from 'node:url';
import { createKernel, createLogger, type StoreConfig } from '../../core/index.js';
import httpPlugin, { httpServerOf } from '../../plugins/http/index.js';
import { benchPlugin } from '../systems/remotetask.js';

const spec = process.env.BENCH_STORE ?? 'sqlite::memory:';
const store: StoreConfig = spec.startsWith('postgres')
  ? { kind: 'postgres', url: spec }
  : { kind: 'sqlite', path: spec.slice('sqlite:'.length) };
const processing = Number(process.env.BENCH_PROCESSING ?? 0);

const kernel = await createKernel(
  {
    store,
    plugins: [benchPlugin, httpPlugin],
    // Retention off: the memory figure is of a store that holds its 1,000,000 finished jobs.
    sites: { '': { services: { Bench: { processor: 'multi', maxConcurrency: Math.max(1, processing), retention: false } } } },
    autostart: processing > 0 ? ['@Bench'] : [],
    http: { host: '127.0.0.1', port: 0 },
  },
  { baseDir: fileURLToPath(new URL('../..', import.meta.url)), logger: createLogger({ level: 'error' }) },
);
const server = httpServerOf(kernel);
if (!server) throw new Error('the http plugin did not start a server');
process.stdout.write(`READY ${server.url}\n`);

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  kernel.close().finally(() => process.exit(0));
});
