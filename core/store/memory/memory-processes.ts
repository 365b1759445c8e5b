import type { JobRow } from '../job-row.js';
import { type ProcessBeat, type ProcessOrders, type ProcessRecord, toProcessRecords } from '../process-registry.js';
import { isHeld } from '../status-sets.js';

/** The memory store's registry of processes: beats in a Map, held jobs read from the leased rows. */
export class MemoryProcesses {
  readonly #beats = new Map<string, ProcessBeat>();
  /** The recorded processes told to drain. */
  readonly #draining = new Set<string>();

  constructor(private readonly leasedRows: () => Iterable<JobRow<unknown>>) {}

  record(beat: ProcessBeat): ProcessOrders {
    this.#beats.set(beat.id, structuredClone(beat));
    return { draining: this.#draining.has(beat.id) };
  }

  remove(id: string): boolean {
    this.#draining.delete(id);
    return this.#beats.delete(id);
  }

  /** False when no process of that id is recorded. */
  setDraining(id: string, draining: boolean): boolean {
    if (!this.#beats.has(id)) return false;
    if (draining) this.#draining.add(id);
    else this.#draining.delete(id);
    return true;
  }

  list(now: number): ProcessRecord[] {
    const held = [];
    for (const row of this.leasedRows()) {
      if (row.locked_by === null || !isHeld(row.status)) continue;
      held.push({ id: row.id, service: row.service, task: row.task, started: row.started, lockedBy: row.locked_by });
    }
    const beats = [...this.#beats.values()].map((beat) => ({ beat: structuredClone(beat), draining: this.#draining.has(beat.id) }));
    return toProcessRecords(beats, held, now);
  }
}
