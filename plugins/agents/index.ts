import { definePlugin, type Kernel, TaskToken } from 'remotetask';
import { CliCommands } from 'remotetask/cli';
import { type WorkersSection, WorkersSections } from 'remotetask/dashboard';
import { agentsSection } from './dashboard/agents-section.js';
import { HttpRoutes, registerServiceScope, SERVICE_PREFIX } from 'remotetask/http';
import { AgentDirectoryToken, MemoryAgentDirectory } from './agent-registry.js';
import { AgentTask } from './agent-task.js';
import { type AgentsOptions, agentsOptionsSpec } from './agents-options.js';
import { agentCommand } from './node/agent-command.js';
import type { AgentRoutesContext } from './routes/agent-context.js';
import { registerAgentEventsRoute } from './routes/agent-events-route.js';
import { registerAgentFileRoutes } from './routes/agent-file-routes.js';
import { registerAgentJobRoutes } from './routes/agent-job-routes.js';
import { registerAgentSessionRoutes } from './routes/agent-session-routes.js';

export type { AgentsOptions } from './agents-options.js';
export { AgentDirectoryToken, type AgentDirectory, type AgentSession, type TaskServer } from './agent-registry.js';
export { AgentTask } from './agent-task.js';

/**
 * Remote agents: processes that reach only the web service (no database) claim, run and finish
 * the jobs of the tasks they announce, over HTTP. The server side is the agent protocol's routes
 * and a task per agent-served task (listed, its input checked like any other); the Node agent is
 * the CLI's `remotetask agent`.
 */
export default definePlugin({
  name: 'agents',
  version: '1.0.0',
  options: agentsOptionsSpec,
  register(ctx) {
    const options = ctx.options as AgentsOptions;
    const declared = options.tasks ?? {};
    const directory = new MemoryAgentDirectory(Date.now, options.connectedForMs ?? 30_000);
    ctx.provide(AgentDirectoryToken, directory);
    for (const [name, task] of Object.entries(declared)) ctx.addTask(name, new AgentTask(name, directory, task));
    ctx.contribute(CliCommands, agentCommand);
    ctx.contribute<WorkersSection>(WorkersSections, { render: (view) => agentsSection(directory, view) });

    let stopCancels: (() => void) | undefined;
    ctx.on('bootstrap', (kernel) => {
      // A cancel request for a job an agent holds goes down that agent's event streams at once.
      stopCancels = kernel.store.onCancelRequested(({ id }) => {
        for (const push of directory.holderOf(id)?.push ?? []) push('cancel', { id });
      });
    });
    ctx.on('close', () => stopCancels?.());

    ctx.contribute(HttpRoutes, (app, kernel) => {
      const context: AgentRoutesContext = { kernel, directory, ensureTask: (name) => ensureTask(kernel, name) };
      registerServiceScope(app, kernel, SERVICE_PREFIX, (scope) => {
        registerAgentSessionRoutes(scope, context);
        registerAgentJobRoutes(scope, context);
        registerAgentFileRoutes(scope, context);
        registerAgentEventsRoute(scope, context, 15_000);
      });
    });

    function ensureTask(kernel: Kernel, name: string): void {
      if (kernel.root.lookup(TaskToken, name)) return;
      kernel.addTask(name, new AgentTask(name, directory));
    }
  },
});
