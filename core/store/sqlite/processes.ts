import type { Database } from 'better-sqlite3';
import { type HeldJobEntry, type ProcessBeat, type ProcessRecord, toProcessRecords } from '../process-registry.js';
import { HELD_SQL } from '../status-sets.js';
import type { PausedService } from '../service-pauses.js';

// The registry of processes and the fleet-wide pauses in SQLite (migration 3). The file is served by one process, so the
// table holds that one; its statements run a few times a minute, prepared when they run.

export function recordProcess(db: Database, beat: ProcessBeat): void {
  db.prepare('INSERT INTO processes (id, beat) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET beat = excluded.beat').run(
    beat.id,
    JSON.stringify(beat),
  );
}

export function removeProcess(db: Database, id: string): boolean {
  return db.prepare('DELETE FROM processes WHERE id = ?').run(id).changes > 0;
}

export function listProcesses(db: Database, now: number): ProcessRecord[] {
  const beats = (db.prepare('SELECT beat FROM processes').all() as { beat: string }[]).map((row) => JSON.parse(row.beat) as ProcessBeat);
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
