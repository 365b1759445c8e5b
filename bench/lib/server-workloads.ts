import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { RemotetaskSystem, BENCH_SERVICE } from '../systems/remotetask.js';
import { bundleServer } from './bundle.js';
import { rssOf, startServer } from './child.js';
import type { Results } from './results.js';
import { fmt, sleep } from './util.js';

type Measure = <T>(key: string, fn: () => Promise<T>) => Promise<T | undefined>;

async function cannon(url: string, seconds: number, opts: Partial<autocannon.Options>) {
  const r = await autocannon({ url, connections: 32, pipelining: 1, duration: seconds, ...opts });
  return { requestsPerSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

/** REST job submission against a fastify hello world, each server in its own process. */
export async function runHttp(results: Results, seconds: number, scratch: string, measure: Measure, log: (line: string) => void) {
  log(`## HTTP (autocannon, 32 connections, ${seconds} s each)`);
  results.http = {};
  const hello = await startServer(await bundleServer('bench/servers/hello-server.ts'));
  try {
    await cannon(`${hello.url}/`, 1, {}); // warm-up
    const r = await measure('http/hello', () => cannon(`${hello.url}/`, seconds, {}));
    if (r) results.http['fastify-hello'] = r;
    if (r) log(`  fastify hello world: ${fmt(r.requestsPerSecond)} req/s`);
  } finally {
    await hello.stop();
  }
  const dir = join(scratch, 'http');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `http-${Date.now()}.db`);
  const server = await startServer(await bundleServer('bench/servers/remotetask-server.ts'), { BENCH_STORE: `sqlite:${file}` });
  try {
    const url = `${server.url}/api/services/${encodeURIComponent(BENCH_SERVICE)}/jobs`;
    const request = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'noop', input: { n: 1 } }) };
    await cannon(url, 1, request);
    const r = await measure('http/remotetask', () => cannon(url, seconds, request));
    if (r) results.http['remotetask-sqlite'] = r;
    if (r) log(`  remotetask POST jobs (SQLite): ${fmt(r.requestsPerSecond)} req/s, non-2xx ${r.non2xx}, errors ${r.errors}`);
  } finally {
    await server.stop();
  }
}

/** The resident set of a server process holding 0, a tenth of and all of `memoryJobs` finished jobs. */
export async function runMemory(results: Results, memoryJobs: number, scratch: string, log: (line: string) => void) {
  log(`## memory of a server process holding ${memoryJobs.toLocaleString('en-US')} jobs (SQLite)`);
  results.memory = {};
  const serverFile = await bundleServer('bench/servers/remotetask-server.ts');
  for (const jobs of [0, memoryJobs / 10, memoryJobs]) {
    const system = new RemotetaskSystem({ kind: 'sqlite', dir: join(scratch, `memory-${jobs}`) });
    await system.open({ concurrency: 1 });
    if (jobs > 0) await system.prefillFinished(jobs);
    await system.close();
    const server = await startServer(serverFile, {
      BENCH_STORE: `sqlite:${join(scratch, `memory-${jobs}`, 'remotetask.db')}`,
      BENCH_PROCESSING: '4',
    });
    try {
      const base = `${server.url}/api/services/${encodeURIComponent(BENCH_SERVICE)}`;
      // A little real use: pages of jobs, a sort by completion time, a job added and run.
      for (let i = 0; i < 20; i++) {
        await fetch(`${base}/jobs?limit=100`).then((r) => r.arrayBuffer());
        await fetch(`${base}/jobs?limit=100&sort=-completed`).then((r) => r.arrayBuffer());
        await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"noop","input":{"n":1}}' }).then((r) => r.arrayBuffer());
      }
      await sleep(1_000);
      const m = rssOf(server.pid);
      results.memory[String(jobs)] = { jobs, ...m };
      log(`  ${jobs.toLocaleString('en-US')} jobs: RSS ${fmt(m.rssMiB, 1)} MiB (peak ${fmt(m.peakMiB, 1)} MiB)`);
    } finally {
      await server.stop();
    }
  }
}
