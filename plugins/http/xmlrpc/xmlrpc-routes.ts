import type { Kernel } from 'remotetask';
import type { FastifyInstance } from 'fastify';
import { forbidden, mayWrite } from '../auth/install-auth.js';
import type { HttpUsers } from '../auth/http-users.js';
import { HttpError } from '../errors/http-error.js';
import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { AddressParams } from '../routes/route-types.js';
import { registerServiceScope } from '../routes/service-scope.js';
import { faultOf } from './fault-of.js';
import { parseXmlrpcCall } from './parse-xmlrpc-call.js';
import { serializeXmlrpcFault, serializeXmlrpcResponse } from './serialize-xmlrpc-response.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';
import { findXmlrpcMethod, xmlrpcMethodNames } from './xmlrpc-methods.js';

/**
 * `POST /xmlrpc/{address}`: the seed's XML-RPC API of a task service. The transport's problems
 * (authentication, a body that is not well-formed XML, an unknown service) are HTTP errors; what
 * goes wrong in a call is a fault.
 */
export function registerXmlrpcRoutes(app: FastifyInstance, kernel: Kernel, users: HttpUsers): void {
  registerServiceScope(app, kernel, '/xmlrpc/:address', (scope) => {
    // Only this endpoint reads XML, as text: parseXmlrpcCall decides what XML it accepts.
    scope.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post<{ Params: AddressParams; Body: string }>('', {
      config: { access: 'per-call' },
      schema: {
        tags: ['xml-rpc'],
        operationId: 'callXmlrpc',
        summary: `XML-RPC (text/xml): ${xmlrpcMethodNames().join(', ')}`,
        consumes: ['text/xml'],
        params: addressParamsSchema,
        // Untyped, so a body of another type reaches the handler and gets its 415.
        body: { description: 'an XML-RPC <methodCall>' },
        response: { 200: { description: 'an XML-RPC methodResponse', content: { 'text/xml': { schema: { type: 'string' } } } }, ...errorResponses },
      },
    }, async (request, reply) => {
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
        return serializeXmlrpcResponse(await method.call(request.service, call.params, kernel));
      } catch (error) {
        const fault = faultOf(error, kernel.logger, call.methodName);
        return serializeXmlrpcFault(fault.faultCode, fault.faultString);
      }
    });
  });
}
