import { WAKE_CHANNEL } from './listener.js';

/** Sends one NOTIFY per service of `source`'s rows that match `condition`, inside the same statement. */
export const notify = (source: string, condition: string) =>
  `woken AS (SELECT pg_notify('${WAKE_CHANNEL}', w.service) FROM (SELECT DISTINCT service FROM ${source} WHERE ${condition}) w)`;

/** A one-time filter that makes PostgreSQL evaluate the `woken` CTE (unreferenced CTEs never run). */
export const afterNotify = `(SELECT count(*) FROM woken) >= 0`;
