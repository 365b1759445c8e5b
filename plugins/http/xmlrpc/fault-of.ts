import type { Logger } from 'winston';
import { answerOf } from '../errors/error-answers.js';
import { HttpError } from '../errors/http-error.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';

/** What went wrong in a method, as the fault an XML-RPC client sees; the unexpected is logged and told only "internal". */
export function faultOf(error: unknown, logger: Logger, methodName: string): XmlrpcFault {
  if (error instanceof XmlrpcFault) return error;
  const core = answerOf(error);
  if (core) return new XmlrpcFault(core.fault, core.message);
  if (error instanceof HttpError && error.statusCode === 403) return new XmlrpcFault(FAULT_CODES.FORBIDDEN, error.message);
  logger.error(`XML-RPC ${methodName} failed: ${(error as Error).message}`, { stack: (error as Error).stack });
  return new XmlrpcFault(FAULT_CODES.INTERNAL, 'internal server error: the server log has the details');
}
