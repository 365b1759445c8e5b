import type { Kernel, TaskService } from 'remotetask';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';

export interface XmlrpcMethod {
  /** XML-RPC type names: the return type first, then the parameters'. */
  signatures: string[][];
  help: string;
  /** Whether a viewer may call it. */
  readOnly: boolean;
  /** `kernel`: for the methods that act beyond the service of the address (the fleet's processes). */
  call(service: TaskService, params: unknown[], kernel: Kernel): Promise<unknown>;
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

/** A parameter that must be a <string>. */
export function stringParam(name: string, label: string, value: unknown): string {
  if (typeof value !== 'string') throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: ${label} must be a <string>, got ${JSON.stringify(value)}`);
  return value;
}

/** A parameter that must be an <array>. */
export function arrayParam(name: string, label: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: ${label} must be an <array>, got ${JSON.stringify(value)?.slice(0, 80)}`);
  return value;
}

/**
 * A parameter that must be a <struct> with no members but `members`: a misspelt member would
 * otherwise be dropped without a word (an `afer` would add a job that waits for nothing).
 */
export function structParam(name: string, label: string, value: unknown, members: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: ${label} must be a <struct>, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  const unknown = Object.keys(value).filter((key) => !members.includes(key));
  if (unknown.length > 0) {
    throw new XmlrpcFault(FAULT_CODES.INVALID_PARAMS, `${name}: ${label} has no member ${unknown.join(', ')}; it takes ${members.join(', ')}`);
  }
  return value as Record<string, unknown>;
}
