/*
 * Columns of a batch statement, shortened when every value is the same, since unnest() pads the
 * shorter arrays with NULL. A batch of a thousand completions then sends its ids and times, not a
 * thousand copies of the worker id, of "completed" and of NULL.
 */

/** No element when every value is NULL. */
export function nullsLeftOut<T>(values: (T | null)[]): (T | null)[] {
  return values.every((value) => value === null) ? [] : values;
}

/** One element when every value is the same (never NULL): the statement reads a NULL as the first element. */
export function sameSentOnce<T>(values: T[]): T[] {
  const first = values[0];
  return values.every((value) => value === first) ? [first] : values;
}
