import type { FastifyRequest } from 'fastify';
import type { Kernel } from 'remotetask';
import { HttpError } from 'remotetask/http';
import type { AgentDirectory, AgentSession } from '../agent-registry.js';
import { userOf } from '../agent-scope.js';

export interface AgentParams {
  address: string;
  agent: string;
}

/** What the agent routes share: the kernel and the directory of agents. */
export interface AgentRoutesContext {
  kernel: Kernel;
  directory: AgentDirectory;
  /** Registers a task agents serve (on hello) unless the server has one of that name. */
  ensureTask(name: string): void;
}

/** The session of the agent a request names; 409 when it has not said hello (or the server restarted since). */
export function sessionOf(directory: AgentDirectory, request: FastifyRequest<{ Params: AgentParams }>): AgentSession {
  const { address, agent } = request.params;
  const session = directory.find(userOf(request), agent);
  if (!session || session.service !== request.service.address) {
    throw new HttpError(409, 'agent_unknown', `agent "${agent}" has not said hello to ${address} (or the server restarted since): POST /api/services/${address}/agents/${agent} with its tasks first`);
  }
  return session;
}
