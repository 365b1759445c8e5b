import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Kernel } from '../kernel/kernel.js';
import { addRunMetrics } from './run-metrics.js';

const PROBE_TIMEOUT_MS = 2_000;

/** This worker's own metrics: its processors, the runs that ended here, Node's process metrics. */
function workerMetrics(kernel: Kernel): { registry: Registry; stop: () => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return { registry, stop: addRunMetrics(kernel, registry) };
}

async function storeAnswers(kernel: Kernel): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([kernel.store.get(0).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `remotetask worker --http-port N`: a worker's own `/healthz` (200 while its store answers, else
 * 503) and `/metrics` (Prometheus text), so each worker can be probed and scraped. Nothing else:
 * the API and the dashboard are the web server's.
 */
export async function serveWorkerHttp(kernel: Kernel, port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const metrics = workerMetrics(kernel);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET and HEAD are served here\n');
    } else if (path === '/healthz') {
      void storeAnswers(kernel).then((ok) => {
        response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify(ok ? { status: 'ok' } : { status: 'unavailable' }));
      });
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}\n`),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`${path} is not served here: a worker serves /healthz and /metrics\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    close: () => {
      metrics.stop();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
