import { type HeldJobEntry, type ProcessBeat, type ProcessRecord, toProcessRecords } from '../process-registry.js';
import { HELD_SQL } from '../status-sets.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// The registry of processes on PostgreSQL (migration 5): one row per process, its beat as jsonb.
// A beat is one upsert every third of a lease per process: off the claim and finish paths.

const recordText = sqlText(({ processes }) => `
      INSERT INTO ${processes} (id, beat) VALUES ($1, $2)
      ON CONFLICT (id) DO UPDATE SET beat = excluded.beat`);

export async function recordProcess(ctx: PostgresContext, beat: ProcessBeat): Promise<void> {
  await ctx.query({ name: 'remotetask-record-process', text: recordText(ctx.tables), values: [beat.id, JSON.stringify(beat)] });
}

const removeText = sqlText(({ processes }) => `DELETE FROM ${processes} WHERE id = $1`);

export async function removeProcess(ctx: PostgresContext, id: string): Promise<boolean> {
  const result = await ctx.query({ name: 'remotetask-remove-process', text: removeText(ctx.tables), values: [id] });
  return (result.rowCount ?? 0) > 0;
}

const beatsText = sqlText(({ processes }) => `SELECT beat FROM ${processes}`);
// Through the lease index (locked_by IS NOT NULL): as many rows as the fleet holds jobs.
const heldText = sqlText(({ jobs }) => `
      SELECT id, service, task, started, locked_by AS "lockedBy" FROM ${jobs}
      WHERE locked_by IS NOT NULL AND locked_until IS NOT NULL AND ${HELD_SQL}`);

export async function listProcesses(ctx: PostgresContext, now: number): Promise<ProcessRecord[]> {
  const [beats, held] = await Promise.all([
    ctx.query<{ beat: ProcessBeat }>({ name: 'remotetask-list-processes', text: beatsText(ctx.tables), values: [] }),
    ctx.query<HeldJobEntry & { lockedBy: string }>({ name: 'remotetask-held-jobs', text: heldText(ctx.tables), values: [] }),
  ]);
  return toProcessRecords(beats.rows.map((row) => row.beat), held.rows, now);
}
