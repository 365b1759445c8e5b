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
  await system.open({ concurrency: 1 });
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
  prefilledQueued?: number;
  /** Every run's rate, when the figure is the median of several. */
  runs?: number[];
}

export interface ThroughputOptions {
  jobs: number;
  concurrency: number;
  maxMs: number;
  /** Finished jobs put into the store first (bulk SQL). */
  finishedBefore?: number;
  /**
   * Queued jobs put into the store first (bulk SQL), ahead of the measured ones: the clock stops when
   * `jobs` tasks have started (not when the store is empty, as a backlog stays behind).
   */
  queuedBefore?: number;
  /** Approximate JSON size of each job's payload (0: `{"n": i}`). */
  payloadBytes?: number;
  /** Each task waits this long (an I/O-bound task); 0: a no-op. */
  taskMs?: number;
  /** Jobs spread over this many services sharing the store. */
  services?: number;
  log?: (line: string) => void;
}

/**
 * Processing throughput: `jobs` jobs are queued (bulk, untimed) before any worker runs; the clock
 * runs from starting the workers until every job is finished in the store.
 */
export async function throughput(factory: SystemFactory, opts: ThroughputOptions): Promise<ThroughputResult> {
  const system = factory.create();
  await system.open({ concurrency: opts.concurrency, services: opts.services });
  try {
    for (const [count, kind] of [[opts.finishedBefore, 'finished'], [opts.queuedBefore, 'queued']] as const) {
      if (!count) continue;
      const prefill = kind === 'finished' ? system.prefillFinished : system.prefillQueued;
      if (!prefill) throw new Error(`${factory.label} has no ${kind}-jobs prefill`);
      const t = now();
      await prefill.call(system, count);
      opts.log?.(`    prefilled ${count.toLocaleString('en-US')} ${kind} jobs in ${((now() - t) / 1000).toFixed(1)} s`);
    }
    const backlog = (opts.queuedBefore ?? 0) > 0;
    if (!backlog) await fill(system, opts.jobs, opts.payloadBytes ?? 0);
    probe.reset(opts.taskMs ?? 0);
    const start = now();
    await system.startWorkers();
    const allRan = probe.untilRuns(opts.jobs);
    const ran = await Promise.race([allRan.then(() => true), sleep(opts.maxMs).then(() => false)]);
    let finished = ran && backlog;
    if (ran && !backlog) finished = await waitUntil(async () => !(await system.anyUnfinished()), Math.max(1, start + opts.maxMs - now()), 1);
    const ms = now() - start;
    const counted = finished ? opts.jobs : probe.runs;
    await withDeadline(`${factory.label}: stopping workers`, 30_000, () => system.stopWorkers());
    // Every job given was run: a system that lost or skipped one fails the measurement.
    if (finished && !backlog && probe.runs < opts.jobs) throw new Error(`${factory.label}: ${probe.runs} of ${opts.jobs} jobs ran`);
    return {
      jobs: counted,
      concurrency: opts.concurrency,
      ms,
      jobsPerSecond: (counted / ms) * 1000,
      timedOut: !finished,
      prefilledFinished: opts.finishedBefore,
      prefilledQueued: opts.queuedBefore,
    };
  } finally {
    probe.reset();
    await system.close();
  }
}

/** Queues `jobs` jobs through the system's bulk API, in chunks of at most 1,000 jobs or about 2 MB. */
export async function fill(system: QueueSystem, jobs: number, payloadBytes = 0): Promise<void> {
  const chunk = Math.max(10, Math.min(1000, Math.floor(2_000_000 / Math.max(1, payloadBytes))));
  for (let i = 0; i < jobs; i += chunk) {
    const n = Math.min(chunk, jobs - i);
    await system.addBatch(Array.from({ length: n }, (_, k) => payload(i + k, payloadBytes)));
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
  await system.open({ concurrency: 1 });
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
