import type { PausedService } from '../service-pauses.js';
import { CONTROL_CHANNEL } from './channels.js';
import type { PostgresContext } from './postgres-context.js';
import { sqlText } from './tables.js';

// Fleet-wide pauses on PostgreSQL (migration 5). The statement that changed a pause sends the
// NOTIFY on the control channel itself, so every process hears of it within one round trip.

const pauseText = sqlText(({ pausedServices }) => `
      WITH changed AS (
        INSERT INTO ${pausedServices} (service, since) VALUES ($1, $2) ON CONFLICT (service) DO NOTHING RETURNING service
      ) SELECT pg_notify('${CONTROL_CHANNEL}', service) FROM changed`);

const resumeText = sqlText(({ pausedServices }) => `
      WITH changed AS (DELETE FROM ${pausedServices} WHERE service = $1 RETURNING service)
      SELECT pg_notify('${CONTROL_CHANNEL}', service) FROM changed`);

export async function setServicePaused(ctx: PostgresContext, service: string, paused: boolean, now: number): Promise<boolean> {
  const { rowCount } = paused
    ? await ctx.query({ name: 'remotetask-pause-service', text: pauseText(ctx.tables), values: [service, now] })
    : await ctx.query({ name: 'remotetask-resume-service', text: resumeText(ctx.tables), values: [service] });
  return (rowCount ?? 0) > 0;
}

const pausedText = sqlText(({ pausedServices }) => `SELECT service, since FROM ${pausedServices} ORDER BY service`);

export async function pausedServices(ctx: PostgresContext): Promise<PausedService[]> {
  const { rows } = await ctx.query<PausedService>({ name: 'remotetask-paused-services', text: pausedText(ctx.tables), values: [] });
  return rows;
}
