import type { JobRecord, JobStatus, JsonSchema } from 'remotetask';

/**
 * The agent protocol's bodies, shared by the server's routes and the Node agent. Every route is
 * under `/api/services/{address}/agents/{agent}`: `{agent}` names one agent process (it picks it
 * at start and keeps it across reconnects, so its leases survive a server restart).
 */

/** A task an agent can run, as it announces it. */
export interface AnnouncedTask {
  name: string;
  description?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

/** `POST …/agents/{agent}`: hello, the tasks it serves. */
export interface HelloRequest {
  tasks: AnnouncedTask[];
}

export interface HelloAnswer {
  agent: string;
  /** The lease its claims hold (ms): renew well within it (a third of it). */
  leaseMs: number;
}

/** `POST …/claim`: up to `limit` jobs of the tasks given (default: those announced). */
export interface ClaimRequest {
  limit: number;
  tasks?: string[];
}

export interface ClaimAnswer {
  jobs: JobRecord[];
}

/** `POST …/renew`: extends the leases; answers which it still holds and which were asked to stop. */
export interface RenewRequest {
  ids: number[];
}

export interface RenewAnswer {
  renewed: number[];
  cancel: number[];
}

export interface ProgressRequest {
  id: number;
  progress: number;
  message?: string | null;
}

/** How a run ended. `retryInMs` / `snoozeInMs`: when the job is due again, counted from when the server gets it. */
export type AgentOutcome =
  | { id: number; kind: 'completed'; result: unknown }
  | { id: number; kind: 'failed'; error: string; errorStack?: string | null }
  | { id: number; kind: 'retry'; error: string; errorStack?: string | null; retryInMs: number }
  | { id: number; kind: 'cancelled'; error?: string | null }
  | { id: number; kind: 'snoozed'; snoozeInMs: number }
  | { id: number; kind: 'released' };

export interface FinishRequest {
  outcomes: AgentOutcome[];
}

export interface FinishAnswer {
  applied: Array<{ id: number; status: JobStatus }>;
}

/** The events of `GET …/events` (Server-Sent Events): `wake` (jobs may be due) and `cancel` ({ id }). */
export type AgentEventName = 'wake' | 'cancel';

/** A valid `{agent}` name: what an agent picks for itself. */
export const AGENT_NAME_PATTERN = '^[A-Za-z0-9_.:-]{1,100}$';
