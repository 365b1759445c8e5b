import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Kernel } from '../kernel/kernel.js';

/** Run times (seconds) from a tenth of a second to an hour: tasks range from echo to video conversion. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Bounds the start times kept for runs whose end this process never sees (a worker stopping mid-run). */
const MAX_TRACKED_RUNS = 10_000;

/**
 * The metrics of the runs of this process, for the web server's and a worker's `/metrics` alike:
 * which services it processes, and counters and run times fed by its own job events. Events of
 * other processes (they cross on PostgreSQL) are not counted, so a sum over processes counts each
 * run once. Returns the function that stops listening.
 */
export function addRunMetrics(kernel: Kernel, registry: Registry): () => void {
  new Gauge({
    name: 'remotetask_service_processing',
    help: '1 while the service\'s processor runs in this process, else 0',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const service of kernel.services()) this.set({ service: service.address }, service.isProcessing() ? 1 : 0);
    },
  });
  const processed = new Counter({
    name: 'remotetask_jobs_processed_total',
    help: 'Job runs that ended in this process (completed or failed, retried ones included), by service and task',
    labelNames: ['service', 'task'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'remotetask_jobs_failed_total',
    help: 'Job runs that failed in this process (retried ones included), by service and task',
    labelNames: ['service', 'task'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'remotetask_job_duration_seconds',
    help: 'How long job runs took in this process, by service, task and outcome',
    labelNames: ['service', 'task', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const retentionRemoved = new Counter({
    name: 'remotetask_retention_removed_total',
    help: 'Finished jobs this process removed by retention, by service and status',
    labelNames: ['service', 'status'],
    registers: [registry],
  });
  const stopRetention = kernel.retention.onRemoved(({ service, status, count }) => retentionRemoved.inc({ service, status }, count));

  const startedAt = new Map<string, number>();
  // Its own events only, which does not make the process parse the others' (see JobEventBus.onOwn).
  const stopEvents = kernel.events.onOwn((event) => {
    const key = `${event.service}#${event.jobId}`;
    const labels = { service: event.service, task: event.task };
    switch (event.type) {
      case 'started':
        if (startedAt.size >= MAX_TRACKED_RUNS) startedAt.delete(startedAt.keys().next().value!);
        startedAt.set(key, event.time);
        return;
      case 'completed':
      case 'failed':
      case 'retrying': {
        const outcome = event.type === 'completed' ? 'completed' : 'failed';
        processed.inc(labels);
        if (outcome === 'failed') failed.inc(labels);
        const started = startedAt.get(key);
        if (started !== undefined) duration.observe({ ...labels, outcome }, Math.max(0, event.time - started) / 1000);
        startedAt.delete(key);
        return;
      }
      case 'cancelled':
        startedAt.delete(key);
        return;
      default:
        return;
    }
  });
  return () => {
    stopEvents();
    stopRetention();
  };
}
