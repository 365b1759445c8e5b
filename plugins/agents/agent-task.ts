import type { JsonSchema, Task } from 'remotetask';
import type { AgentDirectory, TaskServer } from './agent-registry.js';
import type { DeclaredAgentTask } from './agents-options.js';

/**
 * A task that agents run: registered on the server like any other, so `add` validates against it
 * and every listing shows it. Its schemas are those a connected agent announced, else those the
 * config declares; its description says who serves it. The server never runs it itself.
 */
export class AgentTask implements Task {
  constructor(
    readonly name: string,
    private readonly directory: AgentDirectory,
    private readonly declared: DeclaredAgentTask = {},
  ) {}

  get inputSchema(): JsonSchema | undefined {
    return this.directory.announcedSchema(this.name)?.inputSchema ?? this.declared.inputSchema;
  }

  get outputSchema(): JsonSchema | undefined {
    return this.directory.announcedSchema(this.name)?.outputSchema ?? this.declared.outputSchema;
  }

  /** Which agents serve it, connected first. */
  get agents(): TaskServer[] {
    return this.directory.serversOf(this.name);
  }

  get description(): string {
    const own = this.directory.announcedSchema(this.name)?.description ?? this.declared.description;
    const servers = this.agents;
    const who = servers.length === 0
      ? 'served by agents; none has announced it yet'
      : `served by agents: ${servers.map((server) => `${server.agent} (${server.connected ? 'connected' : 'not connected'})`).join(', ')}`;
    return own ? `${own} [${who}]` : `[${who}]`;
  }

  run(): never {
    throw new Error(
      `task "${this.name}" is served by agents and does not run on the server: do not start the processor of its service here (autostart), leave its jobs to the agents`,
    );
  }
}
