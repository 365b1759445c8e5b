import { WAITING_SQL } from '../status-sets.js';
import { sqlText } from './tables.js';

// A claim limited to some tasks (an agent's). Per task, one ordered probe of the
// (service, task, priority, run_at, id) index, locking with SKIP LOCKED as the plain claim does;
// of those, the `limit` most urgent are taken. The jobs of other tasks are never read.
// $1 service, $2 now, $3 limit, $6 the tasks: the plain claim's parameters, plus the tasks.
export const dueOfTasksText = (columns: string) => sqlText(({ jobs }) => `
        SELECT c.* FROM unnest($6::text[]) AS t(task)
        CROSS JOIN LATERAL (
          SELECT ${columns}, priority, run_at, id FROM ${jobs}
          WHERE service = $1 AND task = t.task AND ${WAITING_SQL} AND locked_by IS NULL AND gate IS NULL AND run_at <= $2
          ORDER BY priority, run_at, id
          LIMIT $3
          FOR UPDATE SKIP LOCKED
        ) c
        ORDER BY c.priority, c.run_at, c.id
        LIMIT $3`);
