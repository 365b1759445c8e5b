import { describe, expect, it } from 'vitest';
import { JOB_STATUSES } from '../jobs/job.js';
import {
  CANCELLABLE_SQL,
  HELD_SQL,
  RUNNING_BY_LEASE_SQL,
  WAITING_SQL,
  isCancellable,
  isHeld,
  isRunning,
  isWaiting,
} from './status-sets.js';

describe('status sets', () => {
  it('render as the SQL the stores and their indexes were tuned with', () => {
    // The claim indexes of both databases carry WAITING_SQL as their predicate: the text must not drift.
    expect(WAITING_SQL).toBe(`status IN ('queued', 'delayed', 'cronjob')`);
    expect(HELD_SQL).toBe(`status IN ('processing', 'cronjob')`);
    expect(RUNNING_BY_LEASE_SQL).toBe(`((status = 'processing' OR status = 'cronjob') AND locked_by IS NOT NULL)`);
    expect(CANCELLABLE_SQL).toBe(`(status IN ('queued', 'start later', 'delayed', 'blocked') OR (status = 'cronjob' AND locked_by IS NULL))`);
  });

  it('say the same in code: running is a held status with a lease, cancelled outright a cancellable one without', () => {
    const table = JOB_STATUSES.flatMap((status) =>
      [false, true].map((leased) => [status, leased, isRunning(status, leased), isCancellable(status, leased)] as const),
    );
    expect(table.filter(([, , running]) => running).map(([status, leased]) => [status, leased])).toEqual([
      ['processing', true],
      ['cronjob', true],
    ]);
    expect(table.filter(([, , , cancellable]) => cancellable).map(([status, leased]) => [status, leased])).toEqual([
      ['queued', false],
      ['delayed', false],
      ['cronjob', false],
      ['start later', false],
      // Waiting for other jobs: cancellable, never claimed.
      ['blocked', false],
    ]);
    expect(JOB_STATUSES.filter(isWaiting)).toEqual(['queued', 'delayed', 'cronjob']);
    expect(JOB_STATUSES.filter(isHeld)).toEqual(['processing', 'cronjob']);
  });
});
