import type { ErrorBody } from 'remotetask/client';
import { answerOf } from './error-answers.js';
import { HttpError } from './http-error.js';

export interface ErrorResponse {
  statusCode: number;
  body: ErrorBody;
}

interface FastifyLikeError extends Error {
  code?: string;
  statusCode?: number;
  validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

const body = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** What fastify's own errors mean to a client, in the API's words. */
const FASTIFY_ERRORS: Record<string, { code: string; message: (error: FastifyLikeError) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: () => 'the request body is larger than the server accepts (http.bodyLimit)' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: (error) => `${error.message}: send application/json (or text/xml to /xmlrpc)` },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: () => 'the body is empty but its content-type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: () => 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', message: () => 'the request body does not match its content-length' },
};

/**
 * Turns anything a handler threw into the status and JSON body a client gets. Errors of remotetask
 * keep their message (they are written for users); anything unexpected becomes a bare 500, its
 * details stay in the server's log.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (HttpError.is(error)) return { statusCode: error.statusCode, body: body(error.code, error.message, error.details) };
  const core = answerOf(error);
  if (core) return { statusCode: core.status, body: body(core.code, core.message, core.details) };

  const fastifyError = error as FastifyLikeError;
  if (fastifyError?.validation) {
    const where = fastifyError.validationContext ?? 'request';
    const details = fastifyError.validation.map((problem) => ({
      path: `${where}${problem.instancePath}${problem.params?.missingProperty ? `/${String(problem.params.missingProperty)}` : ''}`,
      message: problem.params?.additionalProperty
        ? `unknown property "${String(problem.params.additionalProperty)}"`
        : (problem.message ?? 'is invalid'),
    }));
    const message = details.map((detail) => `${detail.path} ${detail.message}`).join('; ');
    return { statusCode: 400, body: body('bad_request', message, details) };
  }
  const known = fastifyError?.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return { statusCode: fastifyError.statusCode ?? 400, body: body(known.code, known.message(fastifyError)) };
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, body: body('bad_request', fastifyError.message) };
  }
  return { statusCode: 500, body: body('internal', 'internal server error: the server log has the details') };
}
