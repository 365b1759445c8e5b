import type { FastifyInstance } from 'fastify';
import { type JobOutcome, type JobStatus, nextRunAt } from 'remotetask';
import { HttpError } from 'remotetask/http';
import { checkScope } from '../agent-scope.js';
import type { AgentOutcome, ClaimAnswer, ClaimRequest, FinishAnswer, FinishRequest, ProgressRequest, RenewAnswer, RenewRequest } from '../protocol.js';
import { type AgentParams, type AgentRoutesContext, sessionOf } from './agent-context.js';
import { agentParams, claimBody, finishBody, progressBody, renewBody } from './agent-schemas.js';

const EVENT_OF: Record<AgentOutcome['kind'], 'completed' | 'failed' | 'retrying' | 'cancelled' | undefined> = {
  // A snooze and a hand-back send no event, as when a local worker's task snoozes.
  completed: 'completed', failed: 'failed', retry: 'retrying', cancelled: 'cancelled', snoozed: undefined, released: undefined,
};

function storedOutcome(outcome: AgentOutcome, workerId: string, now: number): JobOutcome {
  const { id } = outcome;
  switch (outcome.kind) {
    case 'completed': return { id, workerId, now, kind: 'completed', result: outcome.result ?? null };
    case 'failed': return { id, workerId, now, kind: 'failed', error: outcome.error, errorStack: outcome.errorStack ?? null };
    case 'retry': return { id, workerId, now, kind: 'retry', error: outcome.error, errorStack: outcome.errorStack ?? null, runAt: now + outcome.retryInMs };
    case 'cancelled': return { id, workerId, now, kind: 'cancelled', error: outcome.error ?? null };
    case 'snoozed': return { id, workerId, now, kind: 'snoozed', runAt: now + outcome.snoozeInMs };
    case 'released': return { id, workerId, now, kind: 'released' };
  }
}

/** Claim, renew, progress and finish: the worker side's store calls, over HTTP, for the agent's own leases. */
export function registerAgentJobRoutes(app: FastifyInstance, { kernel, directory }: AgentRoutesContext): void {
  const { store, events, clock } = kernel;

  app.post<{ Params: AgentParams; Body: ClaimRequest }>('/agents/:agent/claim', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'Claims up to `limit` due jobs of the agent\'s tasks, leased to it', params: agentParams, body: claimBody },
  }, async (request): Promise<ClaimAnswer> => {
    const service = request.service;
    const session = sessionOf(directory, request);
    const tasks = request.body.tasks ?? [...session.tasks.keys()];
    // Scopes first: a claim outside them takes nothing.
    checkScope(request, service.address, tasks);
    const unannounced = tasks.filter((task) => !session.tasks.has(task));
    if (unannounced.length > 0) {
      throw new HttpError(422, 'invalid_input', `agent "${session.agent}" did not announce ${unannounced.join(', ')}: say hello with every task it claims`);
    }
    // A service paused for every process is paused for its agents too: they claim nothing.
    if (service.pausedEverywhere) return { jobs: [] };
    const now = clock();
    // Only the tasks it runs, read from the store's task index: a job of another task is never taken.
    const jobs = await store.claim({
      service: service.address, now, workerId: session.workerId, leaseMs: service.options.leaseMs, limit: request.body.limit, nextRunAt, tasks,
      limits: service.limits,
    });
    directory.held(session, jobs);
    for (const job of jobs) {
      events.emit({ type: 'started', service: service.address, jobId: job.id, task: job.task, status: job.status, time: now });
    }
    return { jobs };
  });

  app.post<{ Params: AgentParams; Body: RenewRequest }>('/agents/:agent/renew', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'Renews the leases of held jobs; answers those still held and those asked to stop', params: agentParams, body: renewBody },
  }, async (request): Promise<RenewAnswer> => {
    const session = sessionOf(directory, request);
    const ids = request.body.ids;
    const renewed = ids.length === 0 ? [] : await store.renewLeases(ids, session.workerId, clock() + request.service.options.leaseMs);
    const kept = new Set(renewed);
    directory.released(session, ids.filter((id) => !kept.has(id)));
    // Held since before a server restart: known again, so a cancel is pushed to it.
    directory.held(session, renewed.filter((id) => !session.held.has(id)).map((id) => ({ id, task: '' })));
    return { renewed, cancel: renewed.length === 0 ? [] : await store.cancelRequestedAmong(renewed) };
  });

  app.post<{ Params: AgentParams; Body: ProgressRequest }>('/agents/:agent/progress', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'Records how far a held job is', params: agentParams, body: progressBody },
  }, async (request) => {
    const session = sessionOf(directory, request);
    const { id, progress, message = null } = request.body;
    const recorded = await store.setProgress(id, session.workerId, progress, message);
    if (recorded) {
      events.emit({
        type: 'progress', service: request.service.address, jobId: id, task: session.held.get(id) ?? '', status: 'processing',
        time: clock(), progress, ...(message === null ? {} : { message }),
      });
    }
    return { recorded };
  });

  app.post<{ Params: AgentParams; Body: FinishRequest }>('/agents/:agent/finish', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'Stores how runs ended; answers those applied (a job taken over by another worker is not)', params: agentParams, body: finishBody },
  }, async (request): Promise<FinishAnswer> => {
    const session = sessionOf(directory, request);
    const now = clock();
    const outcomes = request.body.outcomes;
    const tasks = new Map(outcomes.map((outcome) => [outcome.id, session.held.get(outcome.id) ?? '']));
    const applied = await store.finish(outcomes.map((outcome) => storedOutcome(outcome, session.workerId, now)));
    directory.released(session, outcomes.map((outcome) => outcome.id));
    const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
    for (const { id, status } of applied) emitApplied(byId.get(id)!, status);
    return { applied };

    function emitApplied(outcome: AgentOutcome, status: JobStatus): void {
      const type = status === 'cancelled' ? 'cancelled' : EVENT_OF[outcome.kind];
      if (!type) return;
      const error = 'error' in outcome && outcome.error ? { error: outcome.error } : {};
      events.emit({ type, service: request.service.address, jobId: outcome.id, task: tasks.get(outcome.id) ?? '', status, time: now, ...error });
    }
  });
}
