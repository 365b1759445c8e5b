import { MAX_PRIORITY, MAX_TIMEOUT_MS, MIN_PRIORITY, type AddOptions } from 'remotetask';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';
import { arrayParam, expectParams, intParam, structParam, type XmlrpcMethod } from './xmlrpc-params.js';

const OPTION_NAMES = ['priority', 'startLater', 'timeout', 'key', 'keyScope', 'keyPeriod', 'onKeyTaken', 'queue', 'after', 'onParentFailure'];

export function priorityParam(name: string, value: unknown): number {
  const priority = intParam(name, 'priority', value);
  if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: priority must be from ${MIN_PRIORITY} to ${MAX_PRIORITY} (lower runs first), got ${priority}`);
  }
  return priority;
}

/** Checked here: the core's RangeError would be no fault of the caller's kind (it answers -32603). */
export function timeoutParam(name: string, value: unknown): number {
  const timeout = intParam(name, 'timeout', value);
  if (timeout < 1 || timeout > MAX_TIMEOUT_MS) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: timeout must be from 1 to ${MAX_TIMEOUT_MS} ms, got ${timeout}`);
  }
  return timeout;
}

/** The options struct of addWithOptions, member by member. */
function addOptionsParam(value: unknown): AddOptions {
  const name = 'addWithOptions';
  const members = structParam(name, 'options', value, OPTION_NAMES);
  const options: AddOptions = {};
  if (members.priority !== undefined) options.priority = priorityParam(name, members.priority);
  if (members.timeout !== undefined) options.timeout = timeoutParam(name, members.timeout);
  // The ids' range, and which options go with `after`, are the service's to check (-32602 too).
  if (members.after !== undefined) options.after = arrayParam(name, 'after', members.after).map((id) => intParam(name, 'after', id));
  for (const name of ['key', 'keyScope', 'onKeyTaken', 'queue', 'onParentFailure'] as const) {
    const value = members[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `addWithOptions: ${name} must be a <string>, got ${JSON.stringify(value)}`);
    (options as Record<string, unknown>)[name] = value;
  }
  if (members.keyPeriod !== undefined) {
    if (typeof members.keyPeriod !== 'number') throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `addWithOptions: keyPeriod must be a number of seconds, got ${JSON.stringify(members.keyPeriod)}`);
    options.keyPeriod = members.keyPeriod;
  }
  if (members.startLater !== undefined) {
    if (typeof members.startLater !== 'boolean') {
      throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: startLater must be a <boolean>, got ${JSON.stringify(members.startLater)}`);
    }
    options.startLater = members.startLater;
  }
  return options;
}

/** Methods beside the seed's: job control it did not have. */
export const JOB_CONTROL_METHODS: Record<string, XmlrpcMethod> = {
  addWithOptions: {
    signatures: [['int', 'string', 'any', 'struct']],
    help: 'addWithOptions(task, input, options): add with a struct of options (priority: lower runs first, 0 by default; startLater; timeout in ms; key, keyScope, keyPeriod, onKeyTaken: a job unique by key; queue: a serial queue, one job at a time in the order added; after: an array of job ids it waits for, blocked until all completed; onParentFailure: cancel (default) or run when one of them fails); returns the job id (with a taken key: of the job holding it).',
    readOnly: false,
    async call(service, params) {
      expectParams('addWithOptions', params, [3], '(task, input, options)');
      const [task, input, options] = params;
      if (typeof task !== 'string') throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `addWithOptions: task must be a <string>, got ${JSON.stringify(task)}`);
      const checked = addOptionsParam(options);
      return service.add(task, input ?? null, checked);
    },
  },
  setPriority: {
    signatures: [['boolean', 'int', 'int']],
    help: 'setPriority(jobid, priority): changes the priority of a job that waits (lower runs first); returns true.',
    readOnly: false,
    async call(service, params) {
      expectParams('setPriority', params, [2], '(jobid, priority)');
      await service.setPriority(intParam('setPriority', 'jobid', params[0]), priorityParam('setPriority', params[1]));
      return true;
    },
  },
};
