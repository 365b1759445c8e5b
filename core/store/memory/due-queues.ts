import { MinHeap } from './min-heap.js';

export interface DueEntry {
  runAt: number;
  id: number;
  /** The job's stamp when the entry was pushed: an entry whose job moved on since is stale. */
  stamp: number;
}

const compareDue = (a: DueEntry, b: DueEntry) => a.runAt - b.runAt || a.id - b.id;

/**
 * A service's claimable jobs: one min-heap by (runAt, id) per priority. A claim takes the due jobs
 * of the lowest priority first; the earliest runAt is the least of each heap's first. Priorities
 * in use are few, so both stay O(log n) per job. Stale entries are dropped as they surface.
 */
export class DueQueues {
  private readonly heaps = new Map<number, MinHeap<DueEntry>>();
  private priorities: number[] | null = null;

  constructor(private readonly isLive: (entry: DueEntry) => boolean) {}

  /** Entries held, stale ones included. */
  get size(): number {
    let size = 0;
    for (const heap of this.heaps.values()) size += heap.size;
    return size;
  }

  push(priority: number, entry: DueEntry): void {
    let heap = this.heaps.get(priority);
    if (!heap) {
      heap = new MinHeap(compareDue);
      this.heaps.set(priority, heap);
      this.priorities = null;
    }
    heap.push(entry);
  }

  /** The live entry with the earliest runAt, whatever its priority. */
  earliest(): DueEntry | undefined {
    let best: DueEntry | undefined;
    for (const priority of this.inOrder()) {
      const entry = this.first(priority);
      if (entry && (!best || compareDue(entry, best) < 0)) best = entry;
    }
    return best;
  }

  /** Removes and returns up to `limit` live entries due at `now`: lowest priority first, then by (runAt, id). */
  popDue(now: number, limit: number): DueEntry[] {
    const taken: DueEntry[] = [];
    for (const priority of this.inOrder()) {
      for (let entry = this.first(priority); entry && entry.runAt <= now && taken.length < limit; entry = this.first(priority)) {
        this.heaps.get(priority)!.pop();
        taken.push(entry);
      }
      if (taken.length >= limit) break;
    }
    return taken;
  }

  /**
   * As popDue, taking only entries `accept`s; the others it passes over go back. Costs a pop and
   * a push per entry passed over: the memory store keeps no index by task.
   */
  popDueWhere(now: number, limit: number, accept: (entry: DueEntry) => boolean): DueEntry[] {
    const taken: DueEntry[] = [];
    const passed: [number, DueEntry][] = [];
    for (const priority of this.inOrder()) {
      for (let entry = this.first(priority); entry && entry.runAt <= now && taken.length < limit; entry = this.first(priority)) {
        this.heaps.get(priority)!.pop();
        if (accept(entry)) taken.push(entry);
        else passed.push([priority, entry]);
      }
      if (taken.length >= limit) break;
    }
    for (const [priority, entry] of passed) this.push(priority, entry);
    return taken;
  }

  clear(): void {
    this.heaps.clear();
    this.priorities = null;
  }

  private inOrder(): number[] {
    this.priorities ??= [...this.heaps.keys()].sort((a, b) => a - b);
    return this.priorities;
  }

  /** The first live entry of a priority's heap, dropping stale ones (and the heap once empty). */
  private first(priority: number): DueEntry | undefined {
    const heap = this.heaps.get(priority);
    if (!heap) return undefined;
    for (let entry = heap.peek(); entry !== undefined; entry = heap.peek()) {
      if (this.isLive(entry)) return entry;
      heap.pop();
    }
    this.heaps.delete(priority);
    this.priorities = null;
    return undefined;
  }
}
