import type { JobRow } from '../job-row.js';
import { type ProcessBeat, type ProcessRecord, toProcessRecords } from '../process-registry.js';
import { isHeld } from '../status-sets.js';

/** The memory store's registry of processes: beats in a Map, held jobs read from the leased rows. */
export class MemoryProcesses {
  readonly #beats = new Map<string, ProcessBeat>();

  constructor(private readonly leasedRows: () => Iterable<JobRow<unknown>>) {}

  record(beat: ProcessBeat): void {
    this.#beats.set(beat.id, structuredClone(beat));
  }

  remove(id: string): boolean {
    return this.#beats.delete(id);
  }

  list(now: number): ProcessRecord[] {
    const held = [];
    for (const row of this.leasedRows()) {
      if (row.locked_by === null || !isHeld(row.status)) continue;
      held.push({ id: row.id, service: row.service, task: row.task, started: row.started, lockedBy: row.locked_by });
    }
    return toProcessRecords([...this.#beats.values()].map((beat) => structuredClone(beat)), held, now);
  }
}
