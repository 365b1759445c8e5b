import type { QueueSystem, SystemFactory } from './system.js';
import { now, payload, percentile, probe, sleep, waitUntil, withDeadline } from './util.js';

export interface EnqueueResult {
  oneAtATime: number; // jobs/s
  oneCount: number;
  batched: number; // jobs/s
  batchSize: number;
  batchCount: number;
}

/** Enqueue throughput: `one` awaited adds one after another, then `batches` bulk adds of `batchSize`. No worker runs. */
export async function enqueue(factory: SystemFactory, opts: { one: number; batches: number; batchSize: number; maxMs: number }): Promise<EnqueueResult> {
  const system = factory.create();
  await system.open(1);
  try {
    let start = now();
    let done = 0;
    const oneEnd = start + opts.maxMs;
    while (done < opts.one && now() < oneEnd) await system.addOne(payload(done++));
    const oneAtATime = (done / (now() - start)) * 1000;
    const oneCount = done;

    start = now();
    let batches = 0;
    const batchEnd = start + opts.maxMs;
    while (batches < opts.batches && now() < batchEnd) {
      const base = batches * opts.batchSize;
      await system.addBatch(Array.from({ length: opts.batchSize }, (_, i) => payload(base + i)));
      batches++;
    }
    const batched = ((batches * opts.batchSize) / (now() - start)) * 1000;
    return { oneAtATime, oneCount, batched, batchSize: opts.batchSize, batchCount: batches * opts.batchSize };
  } finally {
    await system.close();
  }
}

export interface ThroughputResult {
  jobs: number;
  concurrency: number;
  ms: number;
  jobsPerSecond: number;
  /** True when the run hit its time limit: the figure is what got done by then. */
  timedOut: boolean;
  prefilledFinished?: number;
  /** Every run's rate, when the figure is the median of several. */
  runs?: number[];
}

/**
 * Processing throughput: `jobs` no-op jobs are queued (bulk, untimed) before any worker runs; the
 * clock runs from starting the workers until every job is finished in the store.
 */
export async function throughput(
  factory: SystemFactory,
  opts: { jobs: number; concurrency: number; maxMs: number; finishedBefore?: number; log?: (line: string) => void },
): Promise<ThroughputResult> {
  const system = factory.create();
  await system.open(opts.concurrency);
  try {
    if (opts.finishedBefore) {
      if (!system.prefillFinished) throw new Error(`${factory.label} has no finished-jobs prefill`);
      const t = now();
      await system.prefillFinished(opts.finishedBefore);
      opts.log?.(`    prefilled ${opts.finishedBefore.toLocaleString('en-US')} finished jobs in ${((now() - t) / 1000).toFixed(1)} s`);
    }
    await fill(system, opts.jobs);
    probe.reset();
    const start = now();
    await system.startWorkers();
    const allRan = probe.untilRuns(opts.jobs);
    const ran = await Promise.race([allRan.then(() => true), sleep(opts.maxMs).then(() => false)]);
    let finished = false;
    if (ran) finished = await waitUntil(async () => !(await system.anyUnfinished()), Math.max(1, start + opts.maxMs - now()), 1);
    const ms = now() - start;
    const counted = finished ? opts.jobs : probe.runs;
    await withDeadline(`${factory.label}: stopping workers`, 30_000, () => system.stopWorkers());
    return {
      jobs: counted,
      concurrency: opts.concurrency,
      ms,
      jobsPerSecond: (counted / ms) * 1000,
      timedOut: !finished,
      prefilledFinished: opts.finishedBefore,
    };
  } finally {
    await system.close();
  }
}

async function fill(system: QueueSystem, jobs: number): Promise<void> {
  const chunk = 1000;
  for (let i = 0; i < jobs; i += chunk) {
    const n = Math.min(chunk, jobs - i);
    await system.addBatch(Array.from({ length: n }, (_, k) => payload(i + k)));
  }
}

export interface LatencyResult {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  timedOut: boolean;
}

/**
 * Add-to-start latency on an idle worker (concurrency 1): one job at a time, measured from just
 * before the add call to the moment the task function starts; the next job is added only once
 * the previous one is finished in the store and the worker had a moment to go idle.
 */
export async function latency(factory: SystemFactory, opts: { jobs: number; maxMs: number; idleMs: number; warmup?: number }): Promise<LatencyResult> {
  const system = factory.create();
  await system.open(1);
  try {
    await system.startWorkers();
    await sleep(300);
    probe.reset();
    const samples: number[] = [];
    const end = now() + opts.maxMs;
    let timedOut = false;
    const warmup = opts.warmup ?? 0;
    for (let i = 0; i < opts.jobs + warmup; i++) {
      if (now() > end) {
        timedOut = true;
        break;
      }
      const started = probe.untilRuns(i + 1);
      const t0 = now();
      await system.addOne(payload(i));
      const remaining = Math.max(1, end - now());
      const at = await Promise.race([started, sleep(remaining).then(() => null)]);
      if (at === null) {
        timedOut = true;
        break;
      }
      if (i >= warmup) samples.push(at - t0);
      await waitUntil(async () => !(await system.anyUnfinished()), Math.max(1, end - now()), 1);
      await sleep(opts.idleMs);
    }
    await withDeadline(`${factory.label}: stopping workers`, 30_000, () => system.stopWorkers());
    return {
      samples: samples.length,
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: Math.max(...samples),
      mean: samples.reduce((a, b) => a + b, 0) / samples.length,
      timedOut,
    };
  } finally {
    await system.close();
  }
}
