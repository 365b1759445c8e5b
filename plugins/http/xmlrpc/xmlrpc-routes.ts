import {
  InvalidInputError,
  isStoreUnreachable,
  JobStateError,
  type Kernel,
  ScheduleError,
  UnknownJobError,
  UnknownTaskError,
} from 'remotetask';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'winston';
import { forbidden, mayWrite } from '../auth/install-auth.js';
import type { HttpUsers } from '../auth/http-users.js';
import { HttpError } from '../errors/http-error.js';
import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { AddressParams } from '../routes/route-types.js';
import { parseXmlrpcCall } from './parse-xmlrpc-call.js';
import { serializeXmlrpcFault, serializeXmlrpcResponse } from './serialize-xmlrpc-response.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';
import { findXmlrpcMethod, xmlrpcMethodNames } from './xmlrpc-methods.js';

/** What went wrong in a method, as the fault an XML-RPC client sees. */
function faultOf(error: unknown, logger: Logger, methodName: string): XmlrpcFault {
  if (error instanceof XmlrpcFault) return error;
  if (error instanceof UnknownJobError) return new XmlrpcFault(FAULT_CODES.UNKNOWN_JOB, error.message);
  if (error instanceof UnknownTaskError) return new XmlrpcFault(FAULT_CODES.UNKNOWN_TASK, error.message);
  if (error instanceof InvalidInputError) return new XmlrpcFault(FAULT_CODES.INVALID_INPUT, error.message);
  if (error instanceof JobStateError) return new XmlrpcFault(FAULT_CODES.JOB_STATE, error.message);
  if (error instanceof ScheduleError) return new XmlrpcFault(FAULT_CODES.INVALID_SCHEDULE, error.message);
  if (error instanceof HttpError && error.statusCode === 403) return new XmlrpcFault(FAULT_CODES.FORBIDDEN, error.message);
  if (isStoreUnreachable(error)) {
    logger.warn(`XML-RPC ${methodName}: the job store is not reachable: ${(error as Error).message}`);
    return new XmlrpcFault(FAULT_CODES.STORE_UNREACHABLE, 'the job store cannot be reached right now; nothing was changed: try again shortly');
  }
  logger.error(`XML-RPC ${methodName} failed: ${(error as Error).message}`, { stack: (error as Error).stack });
  return new XmlrpcFault(FAULT_CODES.INTERNAL, 'internal server error: the server log has the details');
}

/**
 * `POST /xmlrpc/{address}`: the seed's XML-RPC API of a task service. The transport's problems
 * (authentication, a body that is not well-formed XML, an unknown service) are HTTP errors; what
 * goes wrong in a call is a fault.
 */
export function registerXmlrpcRoutes(app: FastifyInstance, kernel: Kernel, users: HttpUsers): void {
  app.register(async (scope) => {
    // Only this endpoint reads XML, as text: parseXmlrpcCall decides what XML it accepts.
    scope.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post<{ Params: AddressParams; Body: string }>('/xmlrpc/:address', {
      config: { access: 'per-call' },
      schema: {
        tags: ['xml-rpc'],
        summary: `XML-RPC (text/xml): ${xmlrpcMethodNames().join(', ')}`,
        consumes: ['text/xml'],
        params: addressParamsSchema,
        // Untyped, so a body of another type reaches the handler and gets its 415.
        body: { description: 'an XML-RPC <methodCall>' },
        response: { 200: { type: 'string', description: 'an XML-RPC methodResponse (text/xml)' }, ...errorResponses },
      },
    }, async (request, reply) => {
      const service = kernel.getService(request.params.address);
      if (typeof request.body !== 'string') {
        throw new HttpError(415, 'unsupported_media_type', 'send an XML-RPC <methodCall> as text/xml');
      }
      const call = (() => {
        try {
          return parseXmlrpcCall(request.body);
        } catch (error) {
          if (error instanceof XmlrpcFault) return error;
          throw error;
        }
      })();
      reply.type('text/xml; charset=utf-8');
      if (call instanceof XmlrpcFault) return serializeXmlrpcFault(call.faultCode, call.faultString);
      try {
        const method = findXmlrpcMethod(call.methodName);
        if (!method) {
          throw new XmlrpcFault(FAULT_CODES.UNKNOWN_METHOD, `there is no method "${call.methodName}"; methods: ${xmlrpcMethodNames().join(', ')}`);
        }
        if (!method.readOnly && !mayWrite(request, users)) throw forbidden(request, `call ${call.methodName}`);
        return serializeXmlrpcResponse(await method.call(service, call.params));
      } catch (error) {
        const fault = faultOf(error, kernel.logger, call.methodName);
        return serializeXmlrpcFault(fault.faultCode, fault.faultString);
      }
    });
  });
}
