import { Gauge, Registry } from 'prom-client';
import { addRunMetrics, JOB_STATUSES, type Kernel } from 'remotetask';
import { addFleetMetrics } from './fleet-metrics.js';

export interface HttpMetrics {
  registry: Registry;
  /** Stops listening to the kernel's events. */
  stop(): void;
}

/**
 * The Prometheus metrics of one server, in a registry of its own (tests and embedding apps may run
 * several): job counts by service and status and queue depth, read from the store on every scrape,
 * and the runs of this process (addRunMetrics).
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

  const stop = addRunMetrics(kernel, registry);
  return { registry, stop };
}
