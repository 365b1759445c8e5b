import { EVENTS_CHANNEL, WAKE_CHANNEL } from './channels.js';

/** Sends one NOTIFY per service of `source`'s rows that match `condition`, inside the same statement. */
export const notify = (source: string, condition: string) =>
  `woken AS (SELECT pg_notify('${WAKE_CHANNEL}', w.service) FROM (SELECT DISTINCT service FROM ${source} WHERE ${condition}) w)`;

/** A one-time filter that makes PostgreSQL evaluate the `woken` CTE (unreferenced CTEs never run). */
export const afterNotify = `(SELECT count(*) FROM woken) >= 0`;

/** Job ids in one announcement at most: 350 ids of up to 16 digits, with separators, fill 6,300 bytes. */
export const ADDED_IDS_PER_PAYLOAD = 350;
/** Service and task names longer than this together leave no room for the ids: a resync marker goes instead. */
const MAX_ANNOUNCED_NAME_BYTES = 1_000;

/**
 * Announces `source`'s rows that match `condition` (just inserted) as `added` job events on the
 * events channel, inside the inserting statement: delivered at its commit, so before any event of a
 * claim that sees them. One event per service, task, status and creation time, with the ids of its
 * jobs (`jobIds`, at most {@link ADDED_IDS_PER_PAYLOAD}: ids grouped by `id / 350` need no window
 * over the rows), each its own NOTIFY, in id order; receivers expand it into one event per job
 * (event-relay.ts). A JSON object per row cost a third of a 1,000-job insert's throughput; this costs
 * next to nothing (bench/pg-insert-variants.ts). Names too long to leave room for the ids are sent
 * as the `"resync"` marker instead (receivers read the store).
 */
export const announceAdded = (source: string, condition = 'true') => `
      announced AS (
        SELECT pg_notify('${EVENTS_CHANNEL}', CASE
          WHEN octet_length(g.service) + octet_length(g.task) > ${MAX_ANNOUNCED_NAME_BYTES} THEN '["resync"]'
          ELSE json_build_array(json_build_object('type', 'added', 'service', g.service, 'task', g.task, 'status', g.status, 'time', g.created, 'jobIds', g.ids))::text
        END)
        FROM (
          SELECT service, task, status, created, min(id) AS first, json_agg(id ORDER BY id) AS ids
          FROM ${source} WHERE ${condition}
          GROUP BY service, task, status, created, id / ${ADDED_IDS_PER_PAYLOAD}
        ) g
        -- pg_notify is volatile: PostgreSQL calls it after the sort, so the NOTIFYs go in id order.
        ORDER BY g.first)`;

/** Makes PostgreSQL evaluate the `announced` CTE too. */
export const afterAnnounce = `(SELECT count(*) FROM announced) >= 0`;
