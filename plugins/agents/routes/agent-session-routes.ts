import type { FastifyInstance } from 'fastify';
import { type JsonSchema, validateTaskInput } from 'remotetask';
import { HttpError } from 'remotetask/http';
import { checkScope, userOf } from '../agent-scope.js';
import type { HelloAnswer, HelloRequest } from '../protocol.js';
import { type AgentParams, type AgentRoutesContext, sessionOf } from './agent-context.js';
import { agentParams, helloBody } from './agent-schemas.js';

/** A schema that does not compile would fail every `add` of its task: refused at hello instead. */
function schemaProblem(task: string, which: string, schema: unknown): string | undefined {
  if (schema === undefined) return undefined;
  try {
    validateTaskInput({ inputSchema: schema as JsonSchema, run: () => null }, null);
    return undefined;
  } catch (error) {
    return `task "${task}": its ${which} is not a JSON Schema: ${(error as Error).message}`;
  }
}

/** Hello (announce tasks), goodbye, and the list of agents of a service. */
export function registerAgentSessionRoutes(app: FastifyInstance, { kernel, directory, ensureTask }: AgentRoutesContext): void {
  app.post<{ Params: AgentParams; Body: HelloRequest }>('/agents/:agent', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'An agent says hello: the tasks it serves, with their schemas', params: agentParams, body: helloBody },
  }, async (request): Promise<HelloAnswer> => {
    const service = request.service;
    const names = request.body.tasks.map((task) => task.name);
    checkScope(request, service.address, names);
    const problems = request.body.tasks.flatMap((task) => [
      schemaProblem(task.name, 'inputSchema', task.inputSchema),
      schemaProblem(task.name, 'outputSchema', task.outputSchema),
    ]).filter((problem) => problem !== undefined);
    if (new Set(names).size !== names.length) problems.push('a task is announced twice');
    if (problems.length > 0) throw new HttpError(422, 'invalid_input', problems.join('; '), problems);
    const user = userOf(request);
    const { agent } = request.params;
    directory.hello({
      agent, user, service: service.address, workerId: `agent:${user}:${agent}`,
      tasks: new Map(request.body.tasks.map((task) => [task.name, task])),
    });
    for (const name of names) ensureTask(name);
    kernel.logger.info(`agent ${agent} (${user}) serves ${names.join(', ') || '(no task)'} of ${service.address}`);
    return { agent, leaseMs: service.options.leaseMs };
  });

  app.delete<{ Params: AgentParams }>('/agents/:agent', {
    config: { access: 'agent' },
    schema: { tags: ['agents'], summary: 'An agent says goodbye (its unfinished jobs return once their leases expire)', params: agentParams },
  }, async (request, reply) => {
    const session = sessionOf(directory, request);
    directory.goodbye(session.user, session.agent);
    return reply.code(204).send();
  });

  app.get('/agents', {
    schema: { tags: ['agents'], summary: 'The agents serving this service, and whether each is connected' },
  }, async (request) => ({
    agents: directory.sessions()
      .filter((session) => session.service === request.service.address)
      .map((session) => ({
        agent: session.agent,
        user: session.user,
        tasks: [...session.tasks.keys()],
        connected: directory.isConnected(session),
        running: session.held.size,
        lastSeen: new Date(session.lastSeen).toISOString(),
      })),
  }));
}
