import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATUSES, type Kernel } from 'remotetask';
import { addFleetMetrics } from './fleet-metrics.js';

export interface HttpMetrics {
  registry: Registry;
  /** Stops listening to the kernel's events. */
  stop(): void;
}

/** Run times (seconds) from a tenth of a second to an hour: tasks range from echo to video conversion. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Bounds the start times kept for runs whose end this process never sees (a worker stopping mid-run). */
const MAX_TRACKED_RUNS = 10_000;

/**
 * The Prometheus metrics of one server, in a registry of its own (tests and embedding apps may run
 * several): job counts by service and status and queue depth, read from the store on every scrape,
 * and run counters and run times fed by the job events of this process.
 */
export function createMetrics(kernel: Kernel, server: { openEventStreams(): number }): HttpMetrics {
  const registry = new Registry();
  addFleetMetrics(kernel, registry);

  new Gauge({
    name: 'remotetask_http_event_streams',
    help: 'Open Server-Sent Event streams of this server',
    registers: [registry],
    collect() {
      this.set(server.openEventStreams());
    },
  });

  new Gauge({
    name: 'remotetask_jobs',
    help: 'Jobs in the store, by service and status',
    labelNames: ['service', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const service of kernel.services()) {
        const counts = await service.jobs.countByStatus();
        for (const status of JOB_STATUSES) this.set({ service: service.address, status }, counts[status] ?? 0);
      }
    },
  });

  new Gauge({
    name: 'remotetask_queue_depth',
    help: 'Jobs queued and waiting for a processor, by service',
    labelNames: ['service'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const service of kernel.services()) {
        this.set({ service: service.address }, (await service.jobs.countByStatus()).queued ?? 0);
      }
    },
  });

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

  const startedAt = new Map<string, number>();
  // This process's own runs: each process serves its own /metrics, and a sum over them counts each job once.
  const stop = kernel.events.on((event, _id, local) => {
    if (!local) return;
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

  return { registry, stop };
}
