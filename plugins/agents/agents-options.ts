import type { JsonSchema, PluginOptionsSpec } from 'remotetask';

/** A task served by agents, declared before any agent announces it: `add` checks input against its schema meanwhile. */
export interface DeclaredAgentTask {
  description?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

/** The agents plugin's options: the config's `agents` key. */
export interface AgentsOptions {
  /** Tasks served by agents, known (listed, their input checked) even while no agent is connected. */
  tasks?: Record<string, DeclaredAgentTask>;
  /** An agent counts as connected this long after it last spoke, without an open event stream (ms; default 30 000). */
  connectedForMs?: number;
}

declare module 'remotetask' {
  interface PluginConfigs {
    /** Remote agents (the agents plugin's options). */
    agents?: AgentsOptions;
  }
}

const schema = { type: ['object', 'boolean'] };

export const agentsOptionsSpec: PluginOptionsSpec<AgentsOptions> = {
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      connectedForMs: { type: 'integer', minimum: 1 },
      tasks: {
        type: 'object',
        propertyNames: { pattern: '^[\\w.:/-]{1,200}$' },
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: { description: { type: 'string' }, inputSchema: schema, outputSchema: schema },
        },
      },
    },
  },
};
