import { comparePositions, keptForKey, type FinishedPosition, type FinishedStatus, type RetentionBatch } from '../retention-rules.js';
import type { MemoryRow } from './job-rules.js';

// Retention's choices for the memory store, over one service's jobs. The memory store keeps no
// index by end time: each call reads the service's jobs once (linear) and sorts what it picked.

type Row = Pick<MemoryRow, 'id' | 'status' | 'completed' | 'key_scope' | 'key_period_ms'>;

const positionOf = (row: Row): FinishedPosition => ({ completed: row.completed!, id: row.id });

function finishedOf(rows: Iterable<Row>, status: FinishedStatus): Row[] {
  const picked: Row[] = [];
  for (const row of rows) if (row.status === status && row.completed !== null) picked.push(row);
  return picked;
}

/** The `n`th newest finished job's position, or null. */
export function nthNewest(rows: Iterable<Row>, status: FinishedStatus, n: number): FinishedPosition | null {
  const finished = finishedOf(rows, status).sort((a, b) => comparePositions(positionOf(b), positionOf(a)));
  const row = finished[Math.max(0, Math.floor(n) - 1)];
  return row ? positionOf(row) : null;
}

/** The jobs the batch looks at, in order, and which of them it removes. */
export function retentionBatch(rows: Iterable<Row>, batch: RetentionBatch): { doomed: number[]; last: FinishedPosition | null } {
  const looked = finishedOf(rows, batch.status)
    .filter((row) => {
      const position = positionOf(row);
      return (batch.after === null || comparePositions(position, batch.after) > 0) && comparePositions(position, batch.before) < 0;
    })
    .sort((a, b) => comparePositions(positionOf(a), positionOf(b)))
    .slice(0, batch.limit);
  const doomed = looked.filter((row) => !keptForKey(row, batch.now)).map((row) => row.id);
  const full = looked.length >= batch.limit;
  return { doomed, last: full ? positionOf(looked[looked.length - 1]) : null };
}
