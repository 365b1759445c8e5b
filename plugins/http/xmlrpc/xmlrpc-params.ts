import type { TaskService } from 'remotetask';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';

export interface XmlrpcMethod {
  /** XML-RPC type names: the return type first, then the parameters'. */
  signatures: string[][];
  help: string;
  /** Whether a viewer may call it. */
  readOnly: boolean;
  call(service: TaskService, params: unknown[]): Promise<unknown>;
}

/** Checks how many parameters a method was called with; `usage` says which it takes. */
export function expectParams(name: string, params: unknown[], counts: number[], usage: string): void {
  if (!counts.includes(params.length)) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name} takes ${usage}, got ${params.length} parameter${params.length === 1 ? '' : 's'}`);
  }
}

export function jobIdParam(name: string, params: unknown[]): number {
  expectParams(name, params, [1], '(jobid)');
  return intParam(name, 'jobid', params[0]);
}

/** A parameter that must be an <int>. */
export function intParam(name: string, label: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: ${label} must be an <int>, got ${JSON.stringify(value)}`);
  }
  return value;
}
