/**
 * Where the time of a PostgreSQL enqueue goes: the store's insert statement, awaited one after
 * another, with and without its NOTIFYs, and with the `added` announcement as it was first released
 * (a JSON object per job) and as it is now (ids grouped, notify.ts); rounds of the variants alternating in one run
 * (the machine's load changes between runs). Another connection LISTENs on both channels, as a
 * fleet's other processes do.
 *
 *     npx tsx bench/pg-insert-variants.ts [statements per round] [rounds] [jobs per statement]
 */
import pg from 'pg';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { migratePostgres } from '../core/store/postgres/postgres-migrations.js';
import { afterAnnounce, afterNotify, announceAdded, notify } from '../core/store/postgres/notify.js';
import { EVENTS_CHANNEL, WAKE_CHANNEL } from '../core/store/postgres/channels.js';
import { WAITING_SQL } from '../core/store/status-sets.js';

const INSERTS = Number(process.argv[2] ?? 2_000);
const ROUNDS = Number(process.argv[3] ?? 5);
/** Jobs per statement: 1, as single adds; more, as the adds of one turn grouped (InsertBatcher). */
const BATCH = Number(process.argv[4] ?? 1);

const insert = `INSERT INTO bench.jobs (service, task, input, status, max_attempts, created, run_at, priority)
        SELECT service, task, input::jsonb, 'queued', 3, 1, 0, 0
        FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS n(service, task, input, position)
        ORDER BY position RETURNING *`;
/** The announcement as it was first released: a JSON object per row, packed into payloads by a running sum. */
const announcedPerRow = `
      announced AS (
        SELECT pg_notify('${EVENTS_CHANNEL}', json_agg(a.event ORDER BY a.id)::text)
        FROM (
          SELECT e.id, CASE WHEN octet_length(e.event::text) > 7000 THEN to_json('resync'::text) ELSE e.event END AS event,
            sum(least(octet_length(e.event::text), 7000) + 1) OVER (ORDER BY e.id) / 7500 AS chunk
          FROM (
            SELECT id, json_build_object('type', 'added', 'service', service, 'jobId', id, 'task', task, 'status', status, 'time', created) AS event
            FROM inserted
          ) e
        ) a
        GROUP BY a.chunk)`;
const VARIANTS: Record<string, string> = {
  'no notify': `WITH inserted AS (${insert}) SELECT * FROM inserted`,
  'wake only': `WITH inserted AS (${insert}), ${notify('inserted', WAITING_SQL)} SELECT * FROM inserted WHERE ${afterNotify}`,
  'wake + added, object per row': `WITH inserted AS (${insert}), ${notify('inserted', WAITING_SQL)}, ${announcedPerRow}
        SELECT * FROM inserted WHERE ${afterNotify} AND ${afterAnnounce}`,
  'wake + added, ids grouped': `WITH inserted AS (${insert}), ${notify('inserted', WAITING_SQL)}, ${announceAdded('inserted')}
        SELECT * FROM inserted WHERE ${afterNotify} AND ${afterAnnounce}`,
};

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('insert_variants');
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const listener = new pg.Client({ connectionString: database.url });
  let heard = 0;
  try {
    const client = await pool.connect();
    await migratePostgres(client, 'bench');
    client.release();
    await listener.connect();
    listener.on('notification', () => heard++);
    await listener.query(`LISTEN ${WAKE_CHANNEL}; LISTEN ${EVENTS_CHANNEL}`);
    const variants = Object.entries(VARIANTS);
    const rates = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, text] of variants) {
        const started = performance.now();
        for (let n = 0; n < INSERTS; n++) {
          const jobs = Array.from({ length: BATCH }, (_, i) => JSON.stringify({ n: n * BATCH + i }));
          await pool.query({ name, text, values: [jobs.map(() => '@S'), jobs.map(() => 'echo'), jobs] });
        }
        // Round 0 warms up (prepares every statement, fills the caches).
        if (round > 0) rates.get(name)!.push((INSERTS * BATCH) / ((performance.now() - started) / 1000));
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const base = median(rates.get('wake only')!);
    for (const [name, values] of rates) {
      console.log(`${name.padEnd(28)} ${String(Math.round(median(values))).padStart(6)} jobs/s  (${(median(values) / base).toFixed(2)} of wake only; rounds: ${values.map(Math.round).join(' ')})`);
    }
    console.log(`${INSERTS} inserts of ${BATCH} job(s) per round, ${ROUNDS} rounds; notifications heard by the listener: ${heard}`);
  } finally {
    await listener.end();
    await pool.end();
    await database.drop();
  }
}

await main();
