import { describe, expect, it } from 'vitest';
import { withAdmin, queuedJob, nextWake, everyMinute, watchCancels, runningJob, usePostgresTestStores } from '../../../test/helpers/postgres-test-stores.js';

const { database: DATABASE, openStore, newSchema } = usePostgresTestStores();

describe('PostgresJobStore notifications', () => {
  describe('wake-ups', () => {
    it('wakes a listener of another store instance through NOTIFY', async () => {
      const schema = newSchema();
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const woken = nextWake(listener, '@notify', 'insert on the other instance');
      await writer.insert(queuedJob('@notify'));
      await woken;

      await writer.insert(queuedJob('@notify', { status: 'start later' }));
      const started = nextWake(listener, '@notify', 'start on the other instance');
      expect(await writer.start(2, 0)).toBe(true);
      await started;

      const [claimed] = await writer.claim({ service: '@notify', now: 10, workerId: 'w', leaseMs: 100, nextRunAt: everyMinute });
      const retried = nextWake(listener, '@notify', 'a retry on the other instance');
      await writer.finish([{ id: claimed.id, workerId: 'w', now: 20, kind: 'retry', error: 'again', errorStack: null, runAt: 30 }]);
      await retried;
    });

    it('wakes its own listeners at once, and not a second time when its own NOTIFY comes back', async () => {
      const store = await openStore();
      let wakes = 0;
      store.onWake('@own', () => wakes++);
      const woken = nextWake(store, '@own', 'insert on the same instance');
      await store.insert(queuedJob('@own'));
      await woken;
      // Notifications arrive in commit order: once this later one is in, the insert's has been seen.
      const marker = nextWake(store, '@marker', 'a NOTIFY sent after the insert');
      await withAdmin(DATABASE, (client) => client.query(`NOTIFY remotetask_wake, '@marker'`));
      await marker;
      expect(wakes).toBe(1);
    });

    it('reconnects a lost LISTEN connection and wakes every listener once it is back', async () => {
      const schema = newSchema();
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const afterReconnect = Promise.all([
        nextWake(listener, '@x', 'after the LISTEN connection came back'),
        nextWake(listener, '@y', 'after the LISTEN connection came back'),
      ]);
      const terminated = await withAdmin(DATABASE, (admin) =>
        admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'remotetask listener'`,
          [DATABASE],
        ),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      await afterReconnect;

      const woken = nextWake(listener, '@x', 'insert after the reconnection');
      await writer.insert(queuedJob('@x'));
      await woken;
    });
  });

  describe('cancel requests', () => {
    it('reach a listener of another store instance through NOTIFY', async () => {
      const schema = newSchema();
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const there = watchCancels(listener);
      const here = watchCancels(writer);
      const job = await runningJob(writer, '@cancel');
      const cron = await writer.insert(queuedJob('@cancel', { status: 'cronjob', runAt: 5, schedule: { minute: [0] } }));
      await writer.claim({ service: '@cancel', now: 10, workerId: 'w', leaseMs: 60_000, jobId: cron.id, nextRunAt: everyMinute });

      expect((await writer.cancel(job.id, 20))?.cancelRequested).toBe(true);
      await Promise.all([there.heard(job.id, 'cancel on the other instance'), here.heard(job.id, 'cancel on this instance')]);

      const other = await runningJob(writer, '@other');
      expect(await writer.cancelAll('@cancel', 30)).toHaveLength(2);
      await there.heard(cron.id, 'cancelAll on the other instance');
      expect(there.seen).toEqual([
        { id: job.id, service: '@cancel' },
        { id: cron.id, service: '@cancel' },
      ]);
      expect(here.seen).toEqual(there.seen);

      // And the other way round, from the instance that listened.
      await listener.cancel(other.id, 40);
      await here.heard(other.id, 'cancel on the listening instance');
      expect(here.seen[2]).toEqual({ id: other.id, service: '@other' });
    });

    it('tells its own listeners at once, and not a second time when its own NOTIFY comes back', async () => {
      const store = await openStore();
      const cancels = watchCancels(store);
      const job = await runningJob(store, '@own');
      await store.cancel(job.id, 20);
      await cancels.heard(job.id, 'cancel on the same instance');
      // Notifications arrive in commit order: once these later ones are in, the cancel's echo has been seen.
      await withAdmin(DATABASE, async (client) => {
        await client.query(`NOTIFY remotetask_cancel, 'not json'`);
        await client.query(`NOTIFY remotetask_cancel, '{"id": "1", "service": 2}'`);
        await client.query(`SELECT pg_notify('remotetask_cancel', json_build_object('id', -1, 'service', '@marker')::text)`);
      });
      await cancels.heard(-1, 'a NOTIFY sent after the cancel');
      expect(cancels.seen).toEqual([
        { id: job.id, service: '@own' },
        { id: -1, service: '@marker' },
      ]);
    });

    it('of two instances cancelling one running job at once, tells every listener once', async () => {
      const schema = newSchema();
      const [first, second] = await Promise.all([openStore(schema), openStore(schema)]);
      const [atFirst, atSecond] = [watchCancels(first), watchCancels(second)];
      const jobs = await Promise.all(Array.from({ length: 50 }, () => runningJob(first, '@race')));
      await Promise.all(
        jobs.flatMap((job) => [first.cancel(job.id, 20), second.cancel(job.id, 20), second.cancelAll('@race', 20)]),
      );
      await withAdmin(DATABASE, (client) =>
        client.query(`SELECT pg_notify('remotetask_cancel', json_build_object('id', -1, 'service', '@marker')::text)`),
      );
      await Promise.all([atFirst.heard(-1, 'the marker'), atSecond.heard(-1, 'the marker')]);
      const expected = [...jobs.map((job) => job.id), -1].sort((a, b) => a - b);
      expect(atFirst.seen.map((job) => job.id).sort((a, b) => a - b)).toEqual(expected);
      expect(atSecond.seen.map((job) => job.id).sort((a, b) => a - b)).toEqual(expected);
    });

    it('listens for cancels again once a lost LISTEN connection is back', async () => {
      const schema = newSchema();
      const [writer, listener] = await Promise.all([openStore(schema), openStore(schema)]);
      const cancels = watchCancels(listener);
      const reconnected = nextWake(listener, '@again', 'after the LISTEN connection came back');
      const terminated = await withAdmin(DATABASE, (admin) =>
        admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'remotetask listener'`,
          [DATABASE],
        ),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      // A cancel during the outage may be missed; its worker still sees it on its next lease renewal.
      const missed = await runningJob(writer, '@again');
      await writer.cancel(missed.id, 20);
      expect(await listener.cancelRequestedAmong([missed.id])).toEqual([missed.id]);
      await reconnected;

      const job = await runningJob(writer, '@again');
      await writer.cancel(job.id, 30);
      await cancels.heard(job.id, 'a cancel after the reconnection');
    });
  });
});
