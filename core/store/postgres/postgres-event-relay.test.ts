import { describe, expect, it } from 'vitest';
import type { JobStore } from '../job-store.js';
import { waitUntil } from '../../../test/helpers/wait-for.js';
import { queuedJob, usePostgresTestStores, withAdmin } from '../../../test/helpers/postgres-test-stores.js';
import { grouped, MAX_EVENT_PAYLOAD_BYTES, payloads } from './event-relay.js';

const { database: DATABASE, openStore, newSchema } = usePostgresTestStores();

/** Everything the store's relay receives from other instances, and how often it was told to resync. */
function watchRelay(store: JobStore) {
  const received: Array<Record<string, unknown>> = [];
  const seen = { lost: 0 };
  store.eventRelay!.subscribe({
    wanted: () => true,
    events: (events) => received.push(...(events as Array<Record<string, unknown>>)),
    lost: () => seen.lost++,
  });
  return { received, seen };
}

describe('PostgreSQL event relay', () => {
  it('packs events into payloads below NOTIFY\'s limit, in order', () => {
    const events = Array.from({ length: 500 }, (_, n) => JSON.stringify({ n, text: 'x'.repeat(n % 97) }));
    const packed = payloads(events);
    expect(packed.length).toBeGreaterThan(1);
    expect(packed.every((payload) => Buffer.byteLength(payload) <= MAX_EVENT_PAYLOAD_BYTES)).toBe(true);
    expect(packed.flatMap((payload) => JSON.parse(payload) as unknown[])).toEqual(events.map((event) => JSON.parse(event)));
  });

  it('delivers another instance\'s events in order, long texts cut, none to the sender itself', async () => {
    const schema = newSchema();
    const [sender, receiver] = await Promise.all([openStore(schema), openStore(schema)]);
    const there = watchRelay(receiver);
    const here = watchRelay(sender);
    for (let n = 0; n < 2_000; n++) sender.eventRelay!.publish({ type: 'progress', jobId: n, message: n === 7 ? 'm'.repeat(50_000) : `step ${n}` });
    await waitUntil(() => there.received.length === 2_000, { timeout: 10_000, what: '2,000 events on the other instance' });
    expect(there.received.map((event) => event.jobId)).toEqual(Array.from({ length: 2_000 }, (_, n) => n));
    expect(there.received[7]).toMatchObject({ truncated: true, message: 'm'.repeat(1_000) });
    expect(there.seen.lost).toBe(0);
    // The insert's own announcement comes after all of them: by then the sender would have seen its echo.
    await sender.insert(queuedJob('@relay'));
    await waitUntil(() => there.received.some((event) => event.type === 'added'), { timeout: 10_000, what: 'the added event' });
    expect(here.received).toEqual([]);
  });

  it('sends runs of started and completed events as groups, and the other instance gets each event back, in order', async () => {
    const schema = newSchema();
    const [sender, receiver] = await Promise.all([openStore(schema), openStore(schema)]);
    const there = watchRelay(receiver);
    const run = (type: string, status: string, from: number, count: number) =>
      Array.from({ length: count }, (_, n) => ({ type, service: '@relay', jobId: from + n, task: 'echo', status, time: 1_000_000 + from + n }));
    // A claim's starts, a progress between, the finish's completions (one with a different task), a failure.
    const events: object[] = [
      ...run('started', 'processing', 1, 1_000),
      { type: 'progress', service: '@relay', jobId: 5, task: 'echo', status: 'processing', time: 2_000_000, progress: 0.5 },
      ...run('completed', 'completed', 1, 600),
      { type: 'completed', service: '@relay', jobId: 601, task: 'other', status: 'completed', time: 2_000_001 },
      ...run('completed', 'completed', 602, 399),
      { type: 'failed', service: '@relay', jobId: 2_000, task: 'echo', status: 'error', time: 2_000_002, error: 'boom' },
    ];
    const texts = grouped(events);
    // A quarter of the texts or fewer: about 150 jobs per group.
    expect(texts.length).toBeLessThan(20);
    expect(payloads(texts).every((payload) => Buffer.byteLength(payload) <= MAX_EVENT_PAYLOAD_BYTES)).toBe(true);
    for (const event of events) sender.eventRelay!.publish(event);
    await waitUntil(() => there.received.length === events.length, { timeout: 10_000, what: `${events.length} events on the other instance` });
    expect(there.received).toEqual(events);
  });

  it('groups only events that differ in jobId and time alone, and a group fits a payload with the largest ids', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const texts = grouped(Array.from({ length: 1_000 }, (_, n) => ({ type: 'started', service: '@s', jobId: big - n, task: 't'.repeat(500), status: 'processing', time: big - n })));
    expect(payloads(texts).every((payload) => Buffer.byteLength(payload) <= MAX_EVENT_PAYLOAD_BYTES)).toBe(true);
    expect(grouped([{ type: 'started', service: '@s', jobId: 1, task: 't', status: 'processing', time: 1, extra: true }])).toEqual([
      JSON.stringify({ type: 'started', service: '@s', jobId: 1, task: 't', status: 'processing', time: 1, extra: true }),
    ]);
  });

  it('announces inserted jobs as added events from the insert statement, a row too large as a resync', async () => {
    const schema = newSchema();
    const [writer, reader] = await Promise.all([openStore(schema), openStore(schema)]);
    const there = watchRelay(reader);
    // Several announcements (350 ids at most in each), in id order.
    const jobs = await writer.insertMany(Array.from({ length: 1_000 }, (_, n) => queuedJob('@announce', { input: { n } })));
    await waitUntil(() => there.received.length === 1_000, { timeout: 10_000, what: '1,000 added events' });
    expect(there.received.map((event) => event.jobId)).toEqual(jobs.map((job) => job.id));
    expect(there.received[0]).toEqual({ type: 'added', service: '@announce', jobId: jobs[0]!.id, task: jobs[0]!.task, status: 'queued', time: jobs[0]!.created });

    await writer.insert(queuedJob('@announce', { task: 't'.repeat(9_000) }));
    await waitUntil(() => there.seen.lost === 1, { timeout: 10_000, what: 'a resync for the job too large to announce' });
    expect(there.received).toHaveLength(1_000);
  });

  it('announces a keyed insert\'s new job as added, and nothing for a key already taken', async () => {
    const schema = newSchema();
    const [writer, reader] = await Promise.all([openStore(schema), openStore(schema)]);
    const there = watchRelay(reader);
    const first = await writer.insertKeyed({ ...queuedJob('@keyed'), key: 'k' }, 'keep', 1_000);
    const again = await writer.insertKeyed({ ...queuedJob('@keyed'), key: 'k' }, 'replace', 1_000);
    expect([first.outcome, again.outcome]).toEqual(['created', 'replaced']);
    // A plain insert after them: once its event is in, theirs would have been.
    const last = await writer.insert(queuedJob('@keyed'));
    await waitUntil(() => there.received.some((event) => event.jobId === last.id), { timeout: 10_000, what: 'the plain insert\'s added event' });
    expect(there.received.map((event) => [event.type, event.jobId])).toEqual([['added', first.job.id], ['added', last.id]]);
  });

  it('tells its subscribers to resync when its LISTEN connection was lost and is back', async () => {
    const store = await openStore();
    const watched = watchRelay(store);
    await withAdmin(DATABASE, (admin) =>
      admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'remotetask listener'`, [DATABASE]),
    );
    await waitUntil(() => watched.seen.lost > 0, { timeout: 10_000, what: 'the resync after the reconnection' });
  });
});
