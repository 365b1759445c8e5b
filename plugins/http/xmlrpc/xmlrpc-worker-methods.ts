import { toWorkerJson } from '../routes/workers-routes.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';
import { expectParams, stringParam, type XmlrpcMethod } from './xmlrpc-params.js';

function drainMethod(draining: boolean): XmlrpcMethod {
  const name = draining ? 'drainWorker' : 'undrainWorker';
  return {
    signatures: [['boolean', 'string']],
    help: draining
      ? 'drainWorker(workerid): drains one process of the fleet (its id from listWorkers), whatever service the address names: it finishes the jobs it runs and claims no more; it stays up until stopped. Returns true.'
      : 'undrainWorker(workerid): lets a drained process claim jobs again. Returns true.',
    readOnly: false,
    async call(_service, params, kernel) {
      expectParams(name, params, [1], '(workerid)');
      const id = stringParam(name, 'workerid', params[0]);
      if (!(await kernel.store.setProcessDraining(id, draining))) {
        throw new XmlrpcFault(FAULT_CODES.UNKNOWN_WORKER, `no process "${id}" is registered: listWorkers() gives their ids`);
      }
      return true;
    },
  };
}

/** The fleet's processes, as `GET /api/workers` and `POST /api/workers/{id}/drain`. */
export const WORKER_METHODS: Record<string, XmlrpcMethod> = {
  listWorkers: {
    signatures: [['array']],
    help: 'listWorkers(): every process that serves the store (web servers and workers, lost ones too): structs of id, host, pid, role, version, services, started, heartbeat (ISO times), ttlMs, lost, draining, finished, jobs (the jobs it holds now).',
    readOnly: true,
    async call(_service, params, kernel) {
      expectParams('listWorkers', params, [0], 'no parameters');
      return (await kernel.store.listProcesses(kernel.clock())).map(toWorkerJson);
    },
  },
  drainWorker: drainMethod(true),
  undrainWorker: drainMethod(false),
};
