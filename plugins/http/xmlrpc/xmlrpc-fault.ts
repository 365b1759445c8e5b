/**
 * Fault codes of the XML-RPC API. Negative ones follow the XML-RPC fault code interoperability
 * convention (xmlrpc-epi); positive ones are remotetask's own.
 */
export const FAULT_CODES = {
  UNKNOWN_JOB: 1,
  UNKNOWN_TASK: 2,
  INVALID_INPUT: 3,
  JOB_STATE: 4,
  FORBIDDEN: 5,
  INVALID_SCHEDULE: 6,
  /** The job store cannot be reached (a database outage): nothing was changed, try again. */
  STORE_UNREACHABLE: 7,
  /** Only where a call names a service: the address in /xmlrpc/{address} is checked first (404). */
  UNKNOWN_SERVICE: 8,
  UNKNOWN_BATCH: 9,
  /** No process of that id is in the store's registry (drainWorker, undrainWorker). */
  UNKNOWN_WORKER: 10,
  INVALID_CALL: -32600,
  UNKNOWN_METHOD: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
} as const;

/** An XML-RPC fault: answered as `<fault>` with faultCode and faultString (HTTP 200, as XML-RPC wants). */
export class XmlrpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
    this.name = 'XmlrpcFault';
  }
}
