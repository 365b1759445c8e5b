import type { Database } from 'better-sqlite3';
import { type HeldJobEntry, type ProcessBeat, type ProcessOrders, type ProcessRecord, toProcessRecords } from '../process-registry.js';
import { HELD_SQL } from '../status-sets.js';
import type { PausedService } from '../service-pauses.js';

// The registry of processes and the fleet-wide pauses in SQLite (migration 3; a process told to
// drain: migration 9). The file is served by one process, so the table holds that one; its
// statements run a few times a minute, prepared when they run.

export function recordProcess(db: Database, beat: ProcessBeat): ProcessOrders {
  const row = db
    .prepare('INSERT INTO processes (id, beat) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET beat = excluded.beat RETURNING draining')
    .get(beat.id, JSON.stringify(beat)) as { draining: number } | undefined;
  return { draining: row?.draining === 1 };
}

/** False when no process of that id is recorded. */
export function setProcessDraining(db: Database, id: string, draining: boolean): boolean {
  return db.prepare('UPDATE processes SET draining = ? WHERE id = ?').run(draining ? 1 : 0, id).changes > 0;
}

export function removeProcess(db: Database, id: string): boolean {
  return db.prepare('DELETE FROM processes WHERE id = ?').run(id).changes > 0;
}

export function listProcesses(db: Database, now: number): ProcessRecord[] {
  const beats = (db.prepare('SELECT beat, draining FROM processes').all() as { beat: string; draining: number }[]).map((row) => ({
    beat: JSON.parse(row.beat) as ProcessBeat,
    draining: row.draining === 1,
  }));
  // The leased jobs, through the lease index: as many as the processes hold, not the table's size.
  const held = db
    .prepare(
      `SELECT id, service, task, started, locked_by AS lockedBy FROM jobs
       WHERE locked_by IS NOT NULL AND locked_until IS NOT NULL AND ${HELD_SQL}`,
    )
    .all() as (HeldJobEntry & { lockedBy: string })[];
  return toProcessRecords(beats, held, now);
}

export function setServicePaused(db: Database, service: string, paused: boolean, now: number): boolean {
  const statement = paused
    ? db.prepare('INSERT INTO paused_services (service, since) VALUES (?, ?) ON CONFLICT (service) DO NOTHING')
    : db.prepare('DELETE FROM paused_services WHERE service = ?');
  return (paused ? statement.run(service, now) : statement.run(service)).changes > 0;
}

export function pausedServices(db: Database): PausedService[] {
  return db.prepare('SELECT service, since FROM paused_services ORDER BY service').all() as PausedService[];
}
