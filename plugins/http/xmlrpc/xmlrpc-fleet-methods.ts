import type { TaskService } from 'remotetask';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';

function noParams(name: string, params: unknown[]): void {
  if (params.length > 0) throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name} takes no parameters, got ${params.length}`);
}

/**
 * Fleet-wide control over XML-RPC. The seed's startProcessing / stopProcessing act on one
 * process; these act on every process that serves the store.
 */
export const FLEET_METHODS = {
  pauseEverywhere: {
    signatures: [['boolean']],
    help: 'pauseEverywhere(): pauses the service for every process (stored): none claims its jobs, running ones finish. Returns true.',
    readOnly: false,
    async call(service: TaskService, params: unknown[]) {
      noParams('pauseEverywhere', params);
      await service.pauseEverywhere();
      return true;
    },
  },
  resumeEverywhere: {
    signatures: [['boolean']],
    help: 'resumeEverywhere(): resumes a service paused for every process. Returns true.',
    readOnly: false,
    async call(service: TaskService, params: unknown[]) {
      noParams('resumeEverywhere', params);
      await service.resumeEverywhere();
      return true;
    },
  },
};
