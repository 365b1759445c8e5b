import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import type { Kernel } from 'remotetask';

/**
 * Metrics of the whole fleet, read from the store on every scrape, so they count every worker's
 * jobs and processes, not only this one's: processes alive and lost, the age of each service's
 * oldest queued job, fleet-wide pauses. Plus Node's default process metrics of this process.
 */
export function addFleetMetrics(kernel: Kernel, registry: Registry): void {
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'remotetask_processes',
    help: 'Processes in the store\'s registry (web servers and workers), by state: alive, or lost (stopped beating)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const processes = await kernel.store.listProcesses(kernel.clock());
      const lost = processes.filter((process) => process.lost).length;
      this.set({ state: 'alive' }, processes.length - lost);
      this.set({ state: 'lost' }, lost);
    },
  });

  new Gauge({
    name: 'remotetask_oldest_queued_job_age_seconds',
    help: 'How long the oldest queued job of the service has waited since it was added (0 when none waits)',
    labelNames: ['service'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = kernel.clock();
      for (const service of kernel.services()) {
        // The lowest id is the oldest added: one entry of the status index, not a sort.
        const { jobs } = await kernel.store.list({ service: service.address, status: ['queued'], sort: 'id', limit: 1 });
        this.set({ service: service.address }, jobs[0] ? Math.max(0, now - jobs[0].created) / 1000 : 0);
      }
    },
  });

  new Gauge({
    name: 'remotetask_service_paused',
    help: '1 while the service is paused for every process, else 0',
    labelNames: ['service'],
    registers: [registry],
    async collect() {
      this.reset();
      const paused = new Set((await kernel.store.pausedServices()).map((entry) => entry.service));
      for (const service of kernel.services()) this.set({ service: service.address }, paused.has(service.address) ? 1 : 0);
    },
  });
}
