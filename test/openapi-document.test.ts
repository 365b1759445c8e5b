/**
 * The OpenAPI document of a real server (http, dashboard and files plugins, users configured), read
 * over HTTP: only the API is in it, every operation has an operationId and a summary, the media
 * types are the real ones, the security schemes are declared, and `@redocly/cli lint` with its
 * recommended rules finds no error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../core/index.js';
import { hashPassword, httpServerOf } from '../plugins/http/index.js';
import { captureLog } from './helpers/capture-log.js';

interface Operation {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> }; security: unknown[] };

/** The linter's command line: the devDependency, or REMOTETASK_TEST_REDOCLY (a folder it is installed in). */
function redoclyCli(): string {
  const from = process.env.REMOTETASK_TEST_REDOCLY ? join(process.env.REMOTETASK_TEST_REDOCLY, 'package.json') : import.meta.url;
  try {
    return join(dirname(createRequire(from).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  } catch {
    throw new Error('@redocly/cli is not installed: it is a devDependency, run `npm ci`');
  }
}

let kernel: Kernel;
let document: Document;
const dir = mkdtempSync(join(tmpdir(), 'remotetask-openapi-'));
const operations = () => Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

beforeAll(async () => {
  kernel = await createKernel(
    {
      store: { kind: 'memory' },
      plugins: ['echo', 'http', 'dashboard', ['files', { dir: join(dir, 'files') }]],
      sites: { '': { services: { RootTaskService: {} } } },
      http: { port: 0, users: { ada: { role: 'viewer', passwordHash: await hashPassword('ada-secret', { N: 1024, r: 8, p: 1 }) } } },
    },
    { autostart: false, logger: captureLog().logger },
  );
  const response = await fetch(`${httpServerOf(kernel)!.url}/openapi.json`, { headers: { authorization: `Basic ${Buffer.from('ada:ada-secret').toString('base64')}` } });
  expect(response.status).toBe(200);
  document = (await response.json()) as Document;
});
afterAll(async () => {
  await kernel?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  it('leaves the dashboard\'s pages, forms and assets out', () => {
    const paths = Object.keys(document.paths);
    expect(paths.filter((path) => !/^\/(api|xmlrpc)\/|^\/(healthz|metrics)$/.test(path))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['/api/sites', '/api/files', '/xmlrpc/{address}', '/metrics', '/healthz']));
  });

  it('gives every operation a unique operationId and a summary', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)), ids.join(', ')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations().filter(({ operation }) => !operation.summary).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    expect(document.paths['/api/services/{address}/jobs']!.post!.operationId).toBe('addJob');
  });

  it('declares the real media types of /metrics, /xmlrpc and the event stream; errors stay JSON', () => {
    const media = (operation: Operation, status: string) => Object.keys(operation.responses[status]?.content ?? {});
    expect(media(document.paths['/metrics']!.get!, '200')).toEqual(['text/plain; version=0.0.4']);
    const xmlrpc = document.paths['/xmlrpc/{address}']!.post!;
    expect(Object.keys(xmlrpc.requestBody!.content)).toEqual(['text/xml']);
    expect(media(xmlrpc, '200')).toEqual(['text/xml']);
    const events = document.paths['/api/services/{address}/events']!.get!;
    expect(media(events, '200')).toEqual(['text/event-stream']);
    for (const operation of [xmlrpc, events, document.paths['/metrics']!.get!]) expect(media(operation, '4XX')).toEqual(['application/json']);
  });

  it('declares Basic and bearer auth, required everywhere but /healthz', () => {
    expect(document.components.securitySchemes).toEqual({ basicAuth: { type: 'http', scheme: 'basic' }, bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect(document.security).toEqual([{ basicAuth: [] }, { bearerAuth: [] }]);
    expect(document.paths['/healthz']!.get!.security).toEqual([{}]);
    expect(operations().filter(({ operation }) => operation.security).map(({ path }) => path)).toEqual(['/healthz']);
  });

  it('passes `redocly lint` with the recommended rules, without an error', () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const run = spawnSync(process.execPath, [redoclyCli(), 'lint', file, '--extends', 'recommended', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 60_000,
    });
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { totals: { errors: number }; problems: Array<{ severity: string; ruleId: string; message: string; location: Array<{ pointer: string }> }> };
    const errors = report.problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(run.status).toBe(0);
  });
});
