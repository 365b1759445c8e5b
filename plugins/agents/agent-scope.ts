import type { FastifyRequest } from 'fastify';
import { HttpError } from 'remotetask/http';

/** Who a request comes from, for the agent registry: the token's user, `anonymous` on a server without users. */
export function userOf(request: FastifyRequest): string {
  return request.user?.name ?? 'anonymous';
}

/**
 * Refuses (403) a service or task outside the agent's scopes. Managers, and everyone on a server
 * without users, may serve anything.
 */
export function checkScope(request: FastifyRequest, service: string, tasks: readonly string[]): void {
  const user = request.user;
  if (!user || user.role !== 'agent' || !user.scopes) return;
  const { services, tasks: allowed } = user.scopes;
  if (services && !services.includes(service)) {
    throw new HttpError(403, 'forbidden', `agent "${user.name}" may serve services ${services.join(', ')}; not ${service}`);
  }
  const outside = allowed ? tasks.filter((task) => !allowed.includes(task)) : [];
  if (outside.length > 0) {
    throw new HttpError(403, 'forbidden', `agent "${user.name}" may serve tasks ${allowed!.join(', ')}; not ${outside.join(', ')}`);
  }
}
