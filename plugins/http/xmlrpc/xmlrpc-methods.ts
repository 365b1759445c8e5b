import type { Kernel, TaskService } from 'remotetask';
import { JOB_CONTROL_METHODS } from './job-control-methods.js';
import { expectParams, jobIdParam, type XmlrpcMethod } from './xmlrpc-params.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';
import { FLEET_METHODS } from './xmlrpc-fleet-methods.js';
import { FLOW_METHODS } from './xmlrpc-flow-methods.js';
import { WORKER_METHODS } from './xmlrpc-worker-methods.js';
import { toAttemptJson } from '../routes/attempts-routes.js';

export type { XmlrpcMethod } from './xmlrpc-params.js';

/** The seed's XML-RPC view of a task service, method by method. */
export const SERVICE_METHODS: Record<string, XmlrpcMethod> = {
  getAvailableTasks: {
    signatures: [['struct']],
    help: 'The tasks this service can run: a struct of task name → description.',
    readOnly: true,
    async call(service, params) {
      expectParams('getAvailableTasks', params, [0], 'no parameters');
      const tasks = await service.getAvailableTasks();
      return Object.fromEntries(Object.entries(tasks).map(([name, task]) => [name, task.description ?? '']));
    },
  },
  add: {
    signatures: [['int', 'string'], ['int', 'string', 'any']],
    help: 'add(task, input): queues a job for the task with the input (any value; checked against the task\'s input schema) and returns its id.',
    readOnly: false,
    async call(service, params) {
      expectParams('add', params, [1, 2], '(task, input)');
      const [task, input = null] = params;
      if (typeof task !== 'string') throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `add: task must be a <string>, got ${JSON.stringify(task)}`);
      return service.add(task, input);
    },
  },
  cancel: {
    signatures: [['boolean', 'int']],
    help: 'cancel(jobid): cancels the job (a running job is asked to stop); returns true.',
    readOnly: false,
    async call(service, params) {
      await service.cancel(jobIdParam('cancel', params));
      return true;
    },
  },
  retry: {
    signatures: [['string', 'int']],
    help: 'retry(jobid): puts a failed (error) or cancelled job back in the queue, its attempts counted afresh; returns its status, "queued".',
    readOnly: false,
    call: (service, params) => service.retry(jobIdParam('retry', params)),
  },
  getStatus: {
    signatures: [['string', 'int']],
    help: 'getStatus(jobid): queued, processing, completed, error, cancelled, delayed, cronjob, "start later" or blocked (waiting for other jobs).',
    readOnly: true,
    call: (service, params) => service.getStatus(jobIdParam('getStatus', params)),
  },
  getResult: {
    signatures: [['any', 'int']],
    help: 'getResult(jobid): the job\'s result, or nil while it has none.',
    readOnly: true,
    call: (service, params) => service.getResult(jobIdParam('getResult', params)),
  },
  getError: {
    signatures: [['string', 'int']],
    help: 'getError(jobid): the job\'s error message, or the string "None" when it has none (as the seed).',
    readOnly: true,
    async call(service, params) {
      return (await service.getError(jobIdParam('getError', params))) ?? 'None';
    },
  },
  getAttempts: {
    signatures: [['array', 'int']],
    help: 'getAttempts(jobid): the job\'s runs that ended, newest first: structs of attempt, started, ended (ISO times), workerId, outcome, error, errorStack.',
    readOnly: true,
    async call(service, params) {
      return (await service.getAttempts(jobIdParam('getAttempts', params))).map(toAttemptJson);
    },
  },
  startJob: {
    signatures: [['boolean', 'int']],
    help: 'startJob(jobid): queues a job added to start later; returns true.',
    readOnly: false,
    async call(service, params) {
      await service.startJob(jobIdParam('startJob', params));
      return true;
    },
  },
  ...FLEET_METHODS,
  ...JOB_CONTROL_METHODS,
  ...FLOW_METHODS,
  ...WORKER_METHODS,
};

const INTROSPECTION_NAMES = ['listMethods', 'methodHelp', 'methodSignature'];

/** Every callable name: the service's methods and the introspection methods, bare and as system.*. */
export function xmlrpcMethodNames(): string[] {
  return [...Object.keys(SERVICE_METHODS), ...INTROSPECTION_NAMES, ...INTROSPECTION_NAMES.map((name) => `system.${name}`)].sort();
}

type DescribedMethod = Omit<XmlrpcMethod, 'call'>;

/** The introspection methods need no service. */
const INTROSPECTION: Record<string, DescribedMethod & { call(params: unknown[]): unknown }> = {
  listMethods: {
    signatures: [['array']],
    help: 'The names of the methods this endpoint offers.',
    readOnly: true,
    call(params) {
      expectParams('listMethods', params, [0], 'no parameters');
      return xmlrpcMethodNames();
    },
  },
  methodHelp: {
    signatures: [['string', 'string']],
    help: 'methodHelp(name): what the method does.',
    readOnly: true,
    call(params) {
      return describedMethod('methodHelp', params).help;
    },
  },
  methodSignature: {
    signatures: [['array', 'string']],
    help: 'methodSignature(name): the method\'s signatures, each [return type, parameter types…].',
    readOnly: true,
    call(params) {
      return describedMethod('methodSignature', params).signatures;
    },
  },
};

/** A method by name; introspection methods answer as themselves and as system.*. */
export function findXmlrpcMethod(name: string): (DescribedMethod & { call(service: TaskService, params: unknown[], kernel: Kernel): unknown }) | undefined {
  if (Object.hasOwn(SERVICE_METHODS, name)) return SERVICE_METHODS[name];
  const bare = name.startsWith('system.') ? name.slice('system.'.length) : name;
  if (!Object.hasOwn(INTROSPECTION, bare)) return undefined;
  const introspection = INTROSPECTION[bare];
  return { ...introspection, call: (_service, params) => introspection.call(params) };
}

function describedMethod(caller: string, params: unknown[]): DescribedMethod {
  expectParams(caller, params, [1], '(name)');
  const [name] = params;
  const method = typeof name === 'string' ? findXmlrpcMethod(name) : undefined;
  if (!method) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${caller}: there is no method ${JSON.stringify(name)}; methods: ${xmlrpcMethodNames().join(', ')}`);
  }
  return method;
}
