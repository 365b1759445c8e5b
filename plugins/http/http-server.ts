import type { FastifyInstance } from 'fastify';
import type { Kernel, Token } from 'remotetask';

/** A listening web service. */
export interface HttpServer {
  /** `http://host:port`, with the real port when 0 was asked for. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Ends event streams, stops accepting requests and waits for the running ones. Safe to call twice. */
  close(): Promise<void>;
}

/** Where the http plugin keeps the server it starts: provided at registration, filled at bootstrap. */
export interface HttpServerSlot {
  server?: HttpServer;
}

/** The http plugin's server slot, a root singleton it provides. */
export const HttpServerToken: Token<HttpServerSlot> = Symbol.for('remotetask.http.server');

/** The server the http plugin started for this kernel, if it did. */
export function httpServerOf(kernel: Kernel): HttpServer | undefined {
  return kernel.lookup(HttpServerToken)?.server;
}
