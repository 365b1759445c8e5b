/** A job's dashboard page shows its serial queue or limit, and why it waits behind it. */
import { describe, expect, it } from 'vitest';
import { dashboardTestKernel } from './helpers/dashboard-test-kernel.js';
import { httpTestTasks } from './helpers/http-test-kernel.js';

describe('limits and queues on the dashboard job page', () => {
  const booted = dashboardTestKernel(['echo', httpTestTasks], { sites: { '': { services: { RootTaskService: { limits: { echo: { concurrency: 1, partitionBy: 'customer' } } } } } } });

  const page = async (id: number) => (await booted.app.inject(`/services/@RootTaskService/jobs/${id}`)).body;

  it('shows the queue and the job it waits for', async () => {
    const service = booted.kernel.getService('@RootTaskService');
    const first = await service.add('steps', null, { queue: 'orders-7' });
    const second = await service.add('steps', null, { queue: 'orders-7' });
    expect(await page(first)).toMatch(/<dt>Queue<\/dt><dd><code>orders-7<\/code> \(one job at a time, in the order added\)<\/dd>/);
    expect(await page(first)).not.toContain('Held back');
    expect(await page(second)).toContain(`<dt>Held back</dt><dd>job ${first} of the queue comes first</dd>`);
  });

  it('shows the limit and its partition, and the limit holding the job back', async () => {
    const service = booted.kernel.getService('@RootTaskService');
    const a1 = await service.add('echo', { customer: 'acme' });
    const a2 = await service.add('echo', { customer: 'acme' });
    await booted.kernel.store.claim({ service: service.address, now: Date.now(), workerId: 'w', leaseMs: 60_000, jobId: a1, nextRunAt: () => null, limits: service.limits });
    expect(await page(a2)).toMatch(/<dt>Limit<\/dt><dd><code>echo<\/code> for <code>&quot;acme&quot;<\/code><\/dd>/);
    expect(await page(a2)).toContain('<dt>Held back</dt><dd>concurrency 1 reached</dd>');
  });
});
