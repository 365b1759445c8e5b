/**
 * The distinct tasks among the entries of an index that leads with (service, task) and match
 * `where`, in name order, as SQL: a loose index scan, one probe per task instead of a walk over
 * every entry. Plucked, it gives the task names; with `limit`, the first that many (the scan stops there).
 */
export function distinctTasksSql(index: string, where: string, limit?: number): string {
  return `
    WITH RECURSIVE tasks(task) AS (
      SELECT (SELECT task FROM jobs INDEXED BY ${index} WHERE ${where} ORDER BY task LIMIT 1)
      UNION ALL
      SELECT (SELECT task FROM jobs INDEXED BY ${index} WHERE ${where} AND task > tasks.task ORDER BY task LIMIT 1)
      FROM tasks WHERE tasks.task IS NOT NULL
    )
    SELECT task FROM tasks WHERE task IS NOT NULL${limit === undefined ? '' : ` LIMIT ${limit}`}`;
}
