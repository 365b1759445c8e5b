import type { FastifyInstance } from 'fastify';
import type { Kernel } from 'remotetask';

/** A listening web service. */
export interface HttpServer {
  /** `http://host:port`, with the real port when 0 was asked for. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Ends event streams, stops accepting requests and waits for the running ones. Safe to call twice. */
  close(): Promise<void>;
}

/** Where the http plugin keeps its server in the kernel's root container. */
const HttpServerToken = Symbol.for('remotetask.http.server');

export function rememberHttpServer(kernel: Kernel, server: HttpServer): void {
  kernel.root.container.bind(HttpServerToken).toConstantValue(server);
}

/** The server the http plugin started for this kernel, if it did: `serve` closes it before the kernel. */
export function httpServerOf(kernel: Kernel): HttpServer | undefined {
  const container = kernel.root.container;
  return container.isBound(HttpServerToken) ? container.get<HttpServer>(HttpServerToken) : undefined;
}
