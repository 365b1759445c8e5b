import { EVENTS_CHANNEL, WAKE_CHANNEL } from './listener.js';

/** Sends one NOTIFY per service of `source`'s rows that match `condition`, inside the same statement. */
export const notify = (source: string, condition: string) =>
  `woken AS (SELECT pg_notify('${WAKE_CHANNEL}', w.service) FROM (SELECT DISTINCT service FROM ${source} WHERE ${condition}) w)`;

/** A one-time filter that makes PostgreSQL evaluate the `woken` CTE (unreferenced CTEs never run). */
export const afterNotify = `(SELECT count(*) FROM woken) >= 0`;

/**
 * Announces `source`'s rows that match `condition` (just inserted) as `added` job events on the events channel, inside the
 * inserting statement: delivered at its commit, so before any event of a claim that sees them.
 * Rows go in arrays of up to 7,500 bytes of JSON (NOTIFY's limit is 8,000); a row too large for
 * one alone is sent as the `"resync"` marker instead (receivers read the store).
 */
export const announceAdded = (source: string, condition = 'true') => `
      announced AS (
        SELECT pg_notify('${EVENTS_CHANNEL}', json_agg(a.event ORDER BY a.id)::text)
        FROM (
          SELECT e.id, CASE WHEN octet_length(e.event::text) > 7000 THEN to_json('resync'::text) ELSE e.event END AS event,
            sum(least(octet_length(e.event::text), 7000) + 1) OVER (ORDER BY e.id) / 7500 AS chunk
          FROM (
            SELECT id, json_build_object('type', 'added', 'service', service, 'jobId', id, 'task', task, 'status', status, 'time', created) AS event
            FROM ${source} WHERE ${condition}
          ) e
        ) a
        GROUP BY a.chunk)`;

/** Makes PostgreSQL evaluate the `announced` CTE too. */
export const afterAnnounce = `(SELECT count(*) FROM announced) >= 0`;
