import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

const json = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/** fastify's errors before routing (a URL it cannot route), in the API's error shape. */
export function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, message] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'uri_too_long', 'a part of the URL is longer than the server reads (100 characters between slashes)']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'bad_url', 'the URL is not valid: a part of it is not a well-formed %-escape']
        : [400, 'bad_request', error.message];
  void reply.code(status).type('application/json; charset=utf-8').send(json(code, message));
}

/**
 * What Node's HTTP parser refuses before there is a request (a request line and headers over
 * 16 KiB, malformed HTTP), answered in the API's error shape on the raw socket, as fastify would.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', json('headers_too_large', 'the request line and headers are larger than the server reads (16 KiB): send a shorter URL, fewer or shorter headers')]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', json('request_timeout', 'the request took too long to arrive')]
        : [400, 'Bad Request', json('bad_request', 'the request is not well-formed HTTP')];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
