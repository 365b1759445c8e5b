import { definePlugin, type Plugin } from 'remotetask';
import { JobFilesToken } from '../../files/index.js';
import type { AgentConnection } from './agent-connection.js';
import { AgentFiles } from './agent-files.js';

const ENDED = new Set(['completed', 'failed', 'retrying', 'cancelled']);

/**
 * The `files` plugin as an agent has it: no local store, the server's files through the agent's
 * connection (see AgentFiles). Named `files`, so plugins depending on it (video-convert) load unchanged.
 */
export function agentFilesPlugin(connection: AgentConnection): Plugin {
  return definePlugin({
    name: 'files',
    version: '1.0.0',
    register(ctx) {
      const files = new AgentFiles(connection);
      ctx.provide(JobFilesToken, files);
      let stop: (() => void) | undefined;
      ctx.on('bootstrap', (kernel) => {
        stop = kernel.events.on((event) => {
          if (ENDED.has(event.type)) void files.jobEnded(event.jobId);
        });
      });
      ctx.on('close', async () => {
        stop?.();
        await files.close();
      });
    },
  });
}
