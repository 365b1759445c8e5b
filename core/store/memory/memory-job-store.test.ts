import { describe, expect, it } from 'vitest';
import { describeJobStoreContract } from '../contract/job-store.contract.js';
import { MemoryJobStore } from './memory-job-store.js';

describeJobStoreContract('memory', async () => new MemoryJobStore());

describe('MemoryJobStore', () => {
  it('claims 20,000 jobs in order, batch by batch, without rescanning the queue', async () => {
    const store = new MemoryJobStore();
    const count = 20_000;
    const jobs = await store.insertMany(
      Array.from({ length: count }, (_, index) => ({
        service: '@Bulk',
        task: 'echo',
        input: index,
        status: 'queued' as const,
        maxAttempts: 1,
        created: 0,
        runAt: count - index, // reverse order of ids, so the heap has work to do
        schedule: null,
      })),
    );
    const claimed: number[] = [];
    for (;;) {
      const batch = await store.claim({ service: '@Bulk', now: count, workerId: 'w', leaseMs: 1_000, limit: 500, nextRunAt: () => null });
      if (batch.length === 0) break;
      claimed.push(...batch.map((job) => job.id));
      await store.finish(batch.map((job) => ({ id: job.id, workerId: 'w', now: count, kind: 'completed' as const, result: null })));
    }
    expect(claimed).toEqual(jobs.map((job) => job.id).reverse());
    expect((await store.countByStatus('@Bulk')).completed).toBe(count);
  });
});
