import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel } from '../kernel/create-kernel.js';
import type { Kernel } from '../kernel/kernel.js';
import type { JobEvent } from '../service/job-events.js';
import { addRunMetrics } from './run-metrics.js';

describe('addRunMetrics', () => {
  let kernel: Kernel;
  beforeAll(async () => {
    kernel = await createKernel({ store: { kind: 'memory' }, sites: { '': { services: { S: {} } } } }, { autostart: false });
  });
  afterAll(() => kernel.close());

  const event = (type: JobEvent['type'], jobId: number, time: number): JobEvent => ({ type, service: '@S', jobId, task: 'echo', status: 'processing', time });

  it('counts the runs of this process only: events delivered from other processes are left out', async () => {
    const registry = new Registry();
    const stop = addRunMetrics(kernel, registry);
    kernel.events.emit(event('started', 1, 1_000));
    kernel.events.emit(event('completed', 1, 1_500));
    kernel.events.deliver(event('started', 2, 1_000));
    kernel.events.deliver(event('failed', 2, 2_000));
    stop();
    kernel.events.emit(event('completed', 3, 2_000));

    const text = await registry.metrics();
    expect(text).toContain('remotetask_jobs_processed_total{service="@S",task="echo"} 1');
    expect(text).not.toMatch(/remotetask_jobs_failed_total\{/);
    expect(text).toContain('remotetask_job_duration_seconds_sum{service="@S",task="echo",outcome="completed"} 0.5');
    expect(text).toContain('remotetask_service_processing{service="@S"} 0');
  });
});
