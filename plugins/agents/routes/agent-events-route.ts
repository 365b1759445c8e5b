import type { FastifyInstance } from 'fastify';
import { sseStreams } from 'remotetask/http';
import { type AgentParams, type AgentRoutesContext, sessionOf } from './agent-context.js';
import { agentParams } from './agent-schemas.js';

/**
 * `GET …/agents/{agent}/events`: Server-Sent Events telling the agent, without polling, that jobs
 * may be due (`wake`, from the store's wake-ups of the service; several in one turn make one) and
 * that a job it holds was asked to stop (`cancel`, `{ id }`).
 */
export function registerAgentEventsRoute(app: FastifyInstance, { kernel, directory }: AgentRoutesContext, heartbeatMs: number): void {
  const streams = sseStreams(app, { heartbeatMs, cacheControl: 'no-store' });
  app.get<{ Params: AgentParams }>('/agents/:agent/events', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'Wake-ups and cancel requests for the agent, as Server-Sent Events', params: agentParams },
  }, (request, reply) => {
    const session = sessionOf(directory, request);
    const stream = streams.open(reply);
    let wakeQueued = false;
    const push = (event: 'wake' | 'cancel', data: unknown) => stream.event(event, data);
    session.streams++;
    session.push.add(push);
    const stopWake = kernel.store.onWake(session.service, () => {
      if (wakeQueued) return;
      wakeQueued = true;
      setImmediate(() => {
        wakeQueued = false;
        stream.event('wake', {});
      });
    });
    stream.onEnd(() => {
      stopWake();
      session.push.delete(push);
      session.streams--;
      session.lastSeen = kernel.clock();
    });
    // Tells the agent the stream is open: whatever became due before it is found by its next claim.
    stream.event('wake', {});
  });
}
