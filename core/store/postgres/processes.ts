import { type HeldJobEntry, type ProcessBeat, type ProcessOrders, type ProcessRecord, type StoredBeat, processControlKey, toProcessRecords } from '../process-registry.js';
import { CONTROL_CHANNEL } from './channels.js';
import { HELD_SQL } from '../status-sets.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// The registry of processes on PostgreSQL (migration 5): one row per process, its beat as jsonb,
// and (migration 12) whether it was told to drain, which its beats leave alone and read back.
// A beat is one upsert every third of a lease per process: off the claim and finish paths.

const recordText = sqlText(({ processes }) => `
      INSERT INTO ${processes} (id, beat) VALUES ($1, $2)
      ON CONFLICT (id) DO UPDATE SET beat = excluded.beat
      RETURNING draining`);

export async function recordProcess(ctx: PostgresContext, beat: ProcessBeat): Promise<ProcessOrders> {
  const { rows } = await ctx.query<ProcessOrders>({ name: 'remotetask-record-process', text: recordText(ctx.tables), values: [beat.id, JSON.stringify(beat)] });
  return { draining: rows[0]?.draining ?? false };
}

// The statement that changed the order sends the NOTIFY itself: the process hears it within a round trip.
const drainText = sqlText(({ processes }) => `
      WITH changed AS (UPDATE ${processes} SET draining = $2 WHERE id = $1 RETURNING id)
      SELECT pg_notify('${CONTROL_CHANNEL}', $3) FROM changed`);

export async function setProcessDraining(ctx: PostgresContext, id: string, draining: boolean): Promise<boolean> {
  const { rowCount } = await ctx.query({
    name: 'remotetask-drain-process', text: drainText(ctx.tables), values: [id, draining, processControlKey(id)],
  });
  return (rowCount ?? 0) > 0;
}

const removeText = sqlText(({ processes }) => `DELETE FROM ${processes} WHERE id = $1`);

export async function removeProcess(ctx: PostgresContext, id: string): Promise<boolean> {
  const result = await ctx.query({ name: 'remotetask-remove-process', text: removeText(ctx.tables), values: [id] });
  return (result.rowCount ?? 0) > 0;
}

const beatsText = sqlText(({ processes }) => `SELECT beat, draining FROM ${processes}`);
// Through the lease index (locked_by IS NOT NULL): as many rows as the fleet holds jobs.
const heldText = sqlText(({ jobs }) => `
      SELECT id, service, task, started, locked_by AS "lockedBy" FROM ${jobs}
      WHERE locked_by IS NOT NULL AND locked_until IS NOT NULL AND ${HELD_SQL}`);

export async function listProcesses(ctx: PostgresContext, now: number): Promise<ProcessRecord[]> {
  const [beats, held] = await Promise.all([
    ctx.query<StoredBeat>({ name: 'remotetask-list-processes', text: beatsText(ctx.tables), values: [] }),
    ctx.query<HeldJobEntry & { lockedBy: string }>({ name: 'remotetask-held-jobs', text: heldText(ctx.tables), values: [] }),
  ]);
  return toProcessRecords(beats.rows, held.rows, now);
}
