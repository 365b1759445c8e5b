import type { Prepared } from './sqlite-statements.js';

/*
 * Completed jobs per service (migration 15). The status index leaves completed jobs out, so the
 * writes that complete or remove them keep this count, each in its own transaction: the finish,
 * clean() and the retention sweep.
 */
export const COMPLETED_COUNTS_SQL = {
  addCompleted: `
    INSERT INTO completed_counts (service, count) VALUES (?, ?)
    ON CONFLICT (service) DO UPDATE SET count = count + excluded.count`,
  clearCompleted: `DELETE FROM completed_counts WHERE service = ?`,
} as const;

type Statements = Prepared<typeof COMPLETED_COUNTS_SQL>;

/** Counts, per service, the rows a write left `completed`; adds them in one statement per service. */
export class CompletedTally {
  private readonly byService = new Map<string, number>();

  count(row: { service: string; status: string }): void {
    if (row.status === 'completed') this.byService.set(row.service, (this.byService.get(row.service) ?? 0) + 1);
  }

  add(sql: Statements): void {
    for (const [service, n] of this.byService) sql.addCompleted.run(service, n);
  }
}
