import type { EnqueueResult, LatencyResult, ThroughputResult } from './workloads.js';

/** Everything a run measured: what `latest.json` holds under `results`, and what the report is made from. */
export interface Results {
  enqueue: Record<string, EnqueueResult>;
  /** By system id, then concurrency. */
  throughput: Record<string, Record<number, ThroughputResult>>;
  latency: Record<string, LatencyResult>;
  /** c=32 with many finished jobs in the store. */
  finished: Record<string, ThroughputResult>;
  /** c=32 with a large backlog of queued jobs. */
  backlog?: Record<string, ThroughputResult>;
  /** c=32, each task waiting (I/O-bound). */
  io?: Record<string, ThroughputResult>;
  /** c=32 with large payloads. */
  payload?: Record<string, ThroughputResult>;
  /** Many services sharing one store. */
  services?: Record<string, ThroughputResult>;
  /** By system id, then number of worker processes. */
  processes?: Record<string, Record<number, ThroughputResult>>;
  /** By try id, then concurrency. */
  tries?: Record<string, Record<number, ThroughputResult>>;
  /**
   * By feature, then system id: the medians of jobs/s with the feature used and without it, and the
   * median of the rounds' with/without ratios (`ratio`, the figure the cost is read from) with each
   * round's ratio, smallest first. Results of runs before the pairs had no ratio: with / without.
   */
  features?: Record<string, Record<string, { with: number; without: number; ratio?: number; ratios?: number[] }>>;
  http?: Record<string, { requestsPerSecond: number; p50: number; p99: number; errors: number; non2xx: number; total: number }>;
  memory?: Record<string, { jobs: number; rssMiB: number; peakMiB: number }>;
  busy: Record<string, number>;
  errors: Record<string, string>;
}

/** A feature's with/without ratio: the median of its rounds' ratios, or (older results) with / without. */
export function featureRatio(r: { with: number; without: number; ratio?: number }): number {
  return r.ratio ?? r.with / r.without;
}

export const emptyResults = (): Results => ({ enqueue: {}, throughput: {}, latency: {}, finished: {}, busy: {}, errors: {} });

/** The sizes of a run (quick or full): every workload reads its counts from here. */
export interface Sizes {
  enqueueOne: number;
  enqueueBatches: number;
  batchSize: number;
  enqueueMaxMs: number;
  jobs: number;
  maxMs: number;
  slowMaxMs: number;
  latencyJobs: number;
  latencyMaxMs: number;
  finished: number;
  backlog: number;
  backlogJobs: number;
  ioJobs: number;
  taskMs: number;
  payloadJobs: number;
  payloadBytes: number;
  services: number;
  servicesJobs: number;
  processes: number[];
  processJobs: number;
  triesJobs: number;
  triesConcurrencies: number[];
  triesMaxMs: number;
  httpSeconds: number;
  memoryJobs: number;
  concurrencies: number[];
  reps: number;
  /** The features workload: a cost of 10% must stand out of the machine's noise, so more jobs and rounds. */
  featureJobs: number;
  featureReps: number;
}
