import type { FastifyInstance } from 'fastify';
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '../core/index.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel } from './helpers/http-test-kernel.js';

let kernel: Kernel;
let app: FastifyInstance;

beforeAll(async () => {
  kernel = await createHttpTestKernel();
  app = await buildHttpApp(kernel);
});
afterAll(async () => {
  await app.close();
  await kernel.close();
});

/** One sample's value from the text format, e.g. sample(text, 'remotetask_jobs{service="@RootTaskService",status="queued"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('serves the Prometheus text format', async () => {
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('# TYPE remotetask_jobs gauge');
    expect(response.body).toContain('# TYPE remotetask_job_duration_seconds histogram');
  });

  it('counts jobs by service and status, and the queue depth, from the store at each scrape', async () => {
    const root = kernel.getService('@RootTaskService');
    await root.add('echo');
    await root.add('echo');
    await kernel.getService('site1@Svc').add('echo', null, { startLater: true });
    const text = (await app.inject('/metrics')).body;
    expect(sample(text, 'remotetask_jobs{service="@RootTaskService",status="queued"}')).toBe(2);
    expect(sample(text, 'remotetask_jobs{service="site1@Svc",status="start later"}')).toBe(1);
    expect(sample(text, 'remotetask_queue_depth{service="@RootTaskService"}')).toBe(2);
    expect(sample(text, 'remotetask_queue_depth{service="site1@Svc"}')).toBe(0);
    await root.cancelAll();
    expect(sample((await app.inject('/metrics')).body, 'remotetask_jobs{service="@RootTaskService",status="cancelled"}')).toBe(2);
  });

  it('counts the finished jobs retention removed, by service and status', async () => {
    const service = kernel.getService('site1@Svc');
    await service.cancel(await service.add('echo'));
    // A sweep as eight days from now: the default keeps cancelled jobs seven.
    const report = await kernel.retention.sweep(kernel.clock() + 8 * 86_400_000);
    expect(report.removed).toContainEqual({ service: 'site1@Svc', status: 'cancelled', count: 1 });
    const text = (await app.inject('/metrics')).body;
    expect(text).toContain('# TYPE remotetask_retention_removed_total counter');
    expect(sample(text, 'remotetask_retention_removed_total{service="site1@Svc",status="cancelled"}')).toBe(1);
  });

  it('counts processed and failed runs and observes their durations, from the job events', async () => {
    const root = kernel.getService('@RootTaskService');
    await root.add('echo');
    await root.add('steps');
    await root.add('fail');
    await root.process();
    const text = (await app.inject('/metrics')).body;
    expect(sample(text, 'remotetask_jobs_processed_total{service="@RootTaskService",task="echo"}')).toBe(1);
    expect(sample(text, 'remotetask_jobs_processed_total{service="@RootTaskService",task="fail"}')).toBe(1);
    expect(sample(text, 'remotetask_jobs_failed_total{service="@RootTaskService",task="fail"}')).toBe(1);
    expect(sample(text, 'remotetask_jobs_failed_total{service="@RootTaskService",task="echo"}')).toBeUndefined();
    expect(sample(text, 'remotetask_job_duration_seconds_count{service="@RootTaskService",task="steps",outcome="completed"}')).toBe(1);
    expect(sample(text, 'remotetask_job_duration_seconds_count{service="@RootTaskService",task="fail",outcome="failed"}')).toBe(1);
    expect(sample(text, 'remotetask_job_duration_seconds_bucket{le="+Inf",service="@RootTaskService",task="echo",outcome="completed"}')).toBe(1);
  });

  it('shows which services process', async () => {
    kernel.getService('site1@Svc').startProcessing();
    const text = (await app.inject('/metrics')).body;
    await kernel.getService('site1@Svc').stopProcessing();
    expect(sample(text, 'remotetask_service_processing{service="site1@Svc"}')).toBe(1);
    expect(sample(text, 'remotetask_service_processing{service="@RootTaskService"}')).toBe(0);
  });

  it('keeps a registry per server, none in prom-client\'s global one', async () => {
    const second = await buildHttpApp(kernel);
    try {
      await kernel.getService('@RootTaskService').add('echo');
      await kernel.getService('@RootTaskService').process();
      const first = sample((await app.inject('/metrics')).body, 'remotetask_jobs_processed_total{service="@RootTaskService",task="echo"}');
      expect(sample((await second.inject('/metrics')).body, 'remotetask_jobs_processed_total{service="@RootTaskService",task="echo"}')).toBe(1);
      expect(first).toBe(2);
      expect(globalRegistry.getSingleMetric('remotetask_jobs')).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('stops listening to job events when its server closes', async () => {
    // The run metrics follow this process's own events (onOwn).
    const subscribe = kernel.events.onOwn.bind(kernel.events);
    const unsubscribed = vi.fn();
    const on = vi.spyOn(kernel.events, 'onOwn').mockImplementation((listener) => {
      const off = subscribe(listener);
      return () => {
        unsubscribed();
        off();
      };
    });
    const third = await buildHttpApp(kernel);
    on.mockRestore();
    expect(unsubscribed).not.toHaveBeenCalled();
    await third.close();
    expect(unsubscribed).toHaveBeenCalledTimes(1);
  });
});
