import type { JobRow } from '../job-row.js';
import type { MinuteCompletions } from '../job-store.js';
import { MINUTE_MS } from '../completions-rules.js';

/**
 * Finished jobs per minute of their completion time, from the service's rows: one pass over the
 * service's jobs (the memory store has no index by completion time; it serves tests and throwaway runs).
 */
export function countCompletions(rows: Iterable<JobRow<unknown>>, since: number): MinuteCompletions[] {
  const minutes = new Map<number, MinuteCompletions>();
  for (const row of rows) {
    if (row.completed === null || row.completed < since) continue;
    if (row.status !== 'completed' && row.status !== 'error') continue;
    const start = Math.floor(row.completed / MINUTE_MS) * MINUTE_MS;
    let minute = minutes.get(start);
    if (!minute) minutes.set(start, (minute = { start, completed: 0, failed: 0 }));
    if (row.status === 'completed') minute.completed++;
    else minute.failed++;
  }
  return [...minutes.values()].sort((a, b) => a.start - b.start);
}
