import { bundleServer } from './bundle.js';
import { startServer, type Child } from './child.js';
import type { SystemFactory } from './system.js';
import { now, waitUntil, withDeadline } from './util.js';
import { fill, type ThroughputResult } from './workloads.js';

/** The systems the processes workload can start as worker processes, by id: what `queue-worker.ts` runs. */
export const PROCESS_WORKERS: Record<string, string> = { 'remotetask-pg': 'remotetask', 'floor-pg': 'floor' };

/**
 * Throughput of `processes` worker processes on one PostgreSQL database, each at `concurrency`:
 * the jobs are queued by this process (which runs no worker), the workers are started and report
 * ready, then all are told to go at once; the clock stops when no job is left unfinished.
 */
export async function processesThroughput(
  factory: SystemFactory,
  opts: { processes: number; jobs: number; concurrency: number; maxMs: number },
): Promise<ThroughputResult> {
  const kind = PROCESS_WORKERS[factory.id];
  if (!kind) throw new Error(`${factory.id} has no worker process (only ${Object.keys(PROCESS_WORKERS).join(', ')})`);
  const system = factory.create();
  await system.open({ concurrency: opts.concurrency });
  const children: Child[] = [];
  try {
    await fill(system, opts.jobs);
    const url = (system as unknown as { url: string }).url;
    const file = await bundleServer('bench/servers/queue-worker.ts');
    const env = { BENCH_SYSTEM: kind, BENCH_PG_URL: url, BENCH_CONCURRENCY: String(opts.concurrency) };
    children.push(...(await Promise.all(Array.from({ length: opts.processes }, () => startServer(file, env, 90_000, true)))));
    const start = now();
    for (const child of children) child.process.stdin!.write('GO\n');
    const finished = await waitUntil(async () => !(await system.anyUnfinished()), opts.maxMs, 5);
    const ms = now() - start;
    if (!finished) throw new Error(`${factory.label}: jobs left unfinished after ${Math.round(opts.maxMs / 1000)} s with ${opts.processes} processes`);
    return { jobs: opts.jobs, concurrency: opts.concurrency, ms, jobsPerSecond: (opts.jobs / ms) * 1000, timedOut: false };
  } finally {
    await withDeadline('stopping worker processes', 30_000, () => Promise.all(children.map((c) => c.stop())));
    await system.close();
  }
}
