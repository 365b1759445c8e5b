import type { BatchJobSpec, FlowJobSpec, OnParentFailure } from 'remotetask';
import { isoTime } from '../routes/to-job-json.js';
import { priorityParam, timeoutParam } from './job-control-methods.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';
import { arrayParam, expectParams, intParam, jobIdParam, stringParam, structParam, type XmlrpcMethod } from './xmlrpc-params.js';

const BATCH_JOB_MEMBERS = ['task', 'input', 'priority', 'timeout'] as const;
const FLOW_JOB_MEMBERS = ['name', ...BATCH_JOB_MEMBERS, 'after', 'onParentFailure'] as const;

/**
 * One job of a batch or flow, its members' types checked; what they mean (the task, its input,
 * names and ids in `after`, how many jobs) the service checks as for the REST API.
 */
function batchJobParam(name: string, label: string, value: unknown, members: readonly string[] = BATCH_JOB_MEMBERS): BatchJobSpec {
  const struct = structParam(name, label, value, members);
  const job: BatchJobSpec = { task: stringParam(name, `${label}.task`, struct.task), input: struct.input ?? null };
  if (struct.priority !== undefined) job.priority = priorityParam(name, struct.priority);
  if (struct.timeout !== undefined) job.timeout = timeoutParam(name, struct.timeout);
  return job;
}

function flowJobParam(name: string, label: string, value: unknown): FlowJobSpec {
  const job: FlowJobSpec = batchJobParam(name, label, value, FLOW_JOB_MEMBERS);
  const struct = value as Record<string, unknown>;
  if (struct.name !== undefined) job.name = stringParam(name, `${label}.name`, struct.name);
  if (struct.after !== undefined) {
    job.after = arrayParam(name, `${label}.after`, struct.after).map((parent) => {
      if (typeof parent === 'string') return parent;
      return intParam(name, `${label}.after: each item (a job id, or the name of an earlier job of the flow)`, parent);
    });
  }
  if (struct.onParentFailure !== undefined) job.onParentFailure = stringParam(name, `${label}.onParentFailure`, struct.onParentFailure) as OnParentFailure;
  return job;
}

function jobsParam(name: string, value: unknown): unknown[] {
  const jobs = arrayParam(name, 'jobs', value);
  if (jobs.length === 0) throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: jobs must hold at least one job`);
  return jobs;
}

/** Flows, batches and dependencies (docs/flows-and-batches.md), as the REST API's `…/flows`, `…/batches`. */
export const FLOW_METHODS: Record<string, XmlrpcMethod> = {
  addFlow: {
    signatures: [['array', 'array']],
    help: 'addFlow(jobs): adds jobs that wait for each other in one transaction. Each job is a struct of task, input, and optionally name, after (an array of job ids and names of earlier jobs of the flow), onParentFailure (cancel or run), priority, timeout; list a job after those it waits for. Returns an array of structs id, name (nil when none), task, status (queued or blocked), in the order given.',
    readOnly: false,
    async call(service, params) {
      expectParams('addFlow', params, [1], '(jobs)');
      const jobs = jobsParam('addFlow', params[0]).map((job, index) => flowJobParam('addFlow', `jobs[${index}]`, job));
      return service.addFlow({ jobs });
    },
  },
  addBatch: {
    signatures: [['struct', 'array', 'struct']],
    help: 'addBatch(jobs, callback): adds a batch: jobs (structs of task, input, and optionally priority, timeout) and a callback job of the same kind that runs once after every job of the batch ended. Returns a struct of batchId, callbackId and ids (the jobs\' ids, in the order given).',
    readOnly: false,
    async call(service, params) {
      expectParams('addBatch', params, [2], '(jobs, callback)');
      const jobs = jobsParam('addBatch', params[0]).map((job, index) => batchJobParam('addBatch', `jobs[${index}]`, job));
      return service.addBatch({ jobs, callback: batchJobParam('addBatch', 'callback', params[1]) });
    },
  },
  getBatch: {
    signatures: [['struct', 'int']],
    help: 'getBatch(batchid): how far a batch is: a struct of id, service, callbackId, size, created (ISO time), completed, failed, cancelled, pending.',
    readOnly: true,
    async call(service, params) {
      expectParams('getBatch', params, [1], '(batchid)');
      const id = intParam('getBatch', 'batchid', params[0]);
      const batch = await service.getBatch(id);
      if (!batch) throw new XmlrpcFault(FAULT_CODES.UNKNOWN_BATCH, `batch ${id} does not exist in service ${service.address}`);
      return { ...batch, created: isoTime(batch.created) };
    },
  },
  getDependencies: {
    signatures: [['struct', 'int']],
    help: 'getDependencies(jobid): the jobs a job waits (or waited) for and those that wait for it: a struct of parents and children, arrays (first 1000) of structs id, task, status, result, error.',
    readOnly: true,
    call: (service, params) => service.relatedJobs(jobIdParam('getDependencies', params), 1000),
  },
};
