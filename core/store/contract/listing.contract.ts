import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../jobs/job.js';
import type { JobOutcome, JobQuery, JobSortKey } from '../job-store.js';
import { InvalidCursorError } from '../keyset-paging.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, SERVICE, OTHER, newJob } from './fixtures.contract.js';

/** The contract of list: filters, sort keys and keyset pages. */
export function listingContract(t: ContractContext): void {
  const { mustGet, claimJob } = t;
  describe('list', () => {
    /** Jobs of two services with ties and nulls in every sort column. */
    async function seedListing(): Promise<JobRecord[]> {
      const tasks = ['echo', 'Zeta', 'alpha', 'echo', 'beta', 'echo', 'alpha', 'zz', 'echo', 'Zeta', 'beta', 'echo', 'alpha'];
      const created = [5, 1, 5, 3, 3, 9, 1, 5, 2, 2, 8, 0, 5];
      const inserted = await t.store.insertMany(
        tasks.map((task, index) =>
          newJob({
            task,
            created: T0 + created[index],
            service: index % 4 === 3 ? OTHER : SERVICE,
            status: index === 12 ? 'start later' : index === 11 ? 'cronjob' : 'queued',
            runAt: index === 11 ? T0 : 0,
            schedule: index === 11 ? { minute: [0] } : null,
          }),
        ),
      );
      const startedAt = [10, 10, 20, 30, 30, 40, 50, 60, 10];
      for (const [index, offset] of startedAt.entries()) {
        const job = inserted[index];
        await claimJob(job.id, T0 + offset, 'w1', job.service);
      }
      const outcome = (index: number, now: number, kind: 'completed' | 'failed' | 'cancelled'): JobOutcome => {
        const id = inserted[index].id;
        if (kind === 'completed') return { id, workerId: 'w1', now: T0 + now, kind, result: index };
        if (kind === 'failed') return { id, workerId: 'w1', now: T0 + now, kind, error: 'x', errorStack: null };
        return { id, workerId: 'w1', now: T0 + now, kind, error: null };
      };
      await t.store.finish([
        outcome(0, 100, 'completed'),
        outcome(1, 100, 'completed'),
        outcome(2, 90, 'failed'),
        outcome(3, 120, 'completed'),
        outcome(4, 90, 'cancelled'),
      ]);
      await t.store.cancel(inserted[9].id, T0 + 100);
      return Promise.all(inserted.map((job) => mustGet(job.id)));
    }

    function expectedOrder(jobs: JobRecord[], sort: string): number[] {
      const descending = sort.startsWith('-');
      const key = (descending ? sort.slice(1) : sort) as JobSortKey;
      const compareValues = (a: number | string | null, b: number | string | null) =>
        a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
      return [...jobs]
        .sort((a, b) => {
          const order = compareValues(a[key], b[key]) || a.id - b.id;
          return descending ? -order : order;
        })
        .map((job) => job.id);
    }

    async function walk(query: JobQuery): Promise<{ ids: number[]; pages: number }> {
      const ids: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await t.store.list({ ...query, cursor });
        pages += 1;
        ids.push(...page.jobs.map((job) => job.id));
        cursor = page.nextCursor ?? undefined;
        if (pages > 100) throw new Error('the cursor never ends');
      } while (cursor !== undefined);
      return { ids, pages };
    }

    it('filters by service, statuses and task', async () => {
      const jobs = await seedListing();
      const ids = (filter: (job: JobRecord) => boolean) => jobs.filter(filter).map((job) => job.id);
      expect((await t.store.list({ limit: 100 })).jobs.map((job) => job.id)).toEqual(ids(() => true));
      expect((await t.store.list({ service: SERVICE, limit: 100 })).jobs.map((job) => job.id)).toEqual(ids((job) => job.service === SERVICE));
      expect((await t.store.list({ status: ['completed', 'error'], limit: 100 })).jobs.map((job) => job.id)).toEqual(
        ids((job) => job.status === 'completed' || job.status === 'error'),
      );
      expect((await t.store.list({ service: SERVICE, status: ['processing'], limit: 100 })).jobs.map((job) => job.id)).toEqual(
        ids((job) => job.service === SERVICE && job.status === 'processing'),
      );
      expect((await t.store.list({ task: 'echo', limit: 100 })).jobs.map((job) => job.id)).toEqual(ids((job) => job.task === 'echo'));
      expect((await t.store.list({ service: OTHER, task: 'echo', status: ['completed'] })).jobs.map((job) => job.id)).toEqual(
        ids((job) => job.service === OTHER && job.task === 'echo' && job.status === 'completed'),
      );
      expect((await t.store.list({ status: [], limit: 100 })).jobs).toHaveLength(jobs.length);
      expect(await t.store.list({ service: 'nobody@Nothing' })).toEqual({ jobs: [], nextCursor: null });
      const [first] = (await t.store.list({ service: SERVICE, limit: 1 })).jobs;
      expect(first).toEqual(jobs[0]);
    });

    const sorts = ['id', 'created', 'started', 'completed', 'status', 'task'].flatMap((key) => [key, `-${key}`]);
    for (const sort of sorts) {
      it(`sorts by ${sort} (ties by id) and pages through every job exactly once`, async () => {
        const jobs = await seedListing();
        const all = await walk({ sort: sort as JobQuery['sort'], limit: 3 });
        expect(all.ids).toEqual(expectedOrder(jobs, sort));
        expect(all.pages).toBe(Math.ceil(jobs.length / 3));
        const mine = await walk({ sort: sort as JobQuery['sort'], limit: 2, service: SERVICE });
        expect(mine.ids).toEqual(expectedOrder(jobs.filter((job) => job.service === SERVICE), sort));
        const oneByOne = await walk({ sort: sort as JobQuery['sort'], limit: 1, status: ['completed', 'queued', 'processing'] });
        expect(oneByOne.ids).toEqual(
          expectedOrder(jobs.filter((job) => ['completed', 'queued', 'processing'].includes(job.status)), sort),
        );
        // One service's jobs of several statuses, across its tasks (SQLite reads them task by task).
        const mineOneByOne = await walk({ sort: sort as JobQuery['sort'], limit: 1, service: SERVICE, status: ['completed', 'queued', 'processing'] });
        expect(mineOneByOne.ids).toEqual(
          expectedOrder(jobs.filter((job) => job.service === SERVICE && ['completed', 'queued', 'processing'].includes(job.status)), sort),
        );
      });
    }

    it('sorts by id unless told otherwise', async () => {
      const jobs = await seedListing();
      expect((await walk({ limit: 4 })).ids).toEqual(jobs.map((job) => job.id));
    });

    it('gives no cursor on the last page, even when it is full', async () => {
      const jobs = await t.store.insertMany(Array.from({ length: 6 }, () => newJob()));
      const first = await t.store.list({ limit: 3 });
      expect(first.jobs.map((job) => job.id)).toEqual(jobs.slice(0, 3).map((job) => job.id));
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await t.store.list({ limit: 3, cursor: first.nextCursor! });
      expect(second.jobs.map((job) => job.id)).toEqual(jobs.slice(3).map((job) => job.id));
      expect(second.nextCursor).toBeNull();
    });

    it('keeps its place when the job at the cursor is removed', async () => {
      const jobs = await t.store.insertMany(Array.from({ length: 6 }, () => newJob()));
      const first = await t.store.list({ limit: 3, sort: '-created' });
      const atCursor = first.jobs[2];
      await t.store.cancel(atCursor.id, T0);
      await t.store.clean(SERVICE, ['cancelled']);
      const second = await t.store.list({ limit: 3, sort: '-created', cursor: first.nextCursor! });
      expect(second.jobs.map((job) => job.id)).toEqual([jobs[2].id, jobs[1].id, jobs[0].id]);
    });

    it('pages 50 jobs by default and at most 1000', async () => {
      await t.store.insertMany(Array.from({ length: 1_005 }, (_, index) => newJob({ created: T0 + index })));
      const byDefault = await t.store.list({});
      expect(byDefault.jobs).toHaveLength(50);
      expect(byDefault.nextCursor).not.toBeNull();
      const capped = await t.store.list({ limit: 5_000 });
      expect(capped.jobs).toHaveLength(1_000);
      const rest = await t.store.list({ limit: 5_000, cursor: capped.nextCursor! });
      expect(rest.jobs).toHaveLength(5);
      expect(rest.nextCursor).toBeNull();
      expect(new Set([...capped.jobs, ...rest.jobs].map((job) => job.id)).size).toBe(1_005);
    });

    it('rejects a malformed cursor, saying the cursor is invalid', async () => {
      await t.store.insertMany([newJob(), newJob(), newJob()]);
      for (const cursor of ['not a cursor', 'bm9wZQ', Buffer.from('{"id":1}').toString('base64url')]) {
        const listing = t.store.list({ cursor });
        await expect(listing).rejects.toThrow(InvalidCursorError);
        await expect(listing).rejects.toThrow(/the cursor is invalid/);
      }
    });
  });
}
