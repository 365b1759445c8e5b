import type { SiteJson, UploadedFile, WorkersJson } from './api-types.js';
import type { ApiRequester, RequestOptions } from './api-requester.js';
import { RemotetaskHttpError } from './remotetask-http-error.js';
import { ServiceClient } from './service-client.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_SERVICE = '@RootTaskService';

export interface RemotetaskClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080` (the default). */
  url?: string;
  /** HTTP Basic credentials… */
  username?: string;
  password?: string;
  /** …or a bearer token. */
  token?: string;
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: typeof fetch;
}

/** Standard base64 of a UTF-8 string, without Node's Buffer, so the client runs in browsers too. */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A typed client of the remotetask web service, on fetch. Failures are thrown as a
 * {@link RemotetaskHttpError}. Service routes hang off {@link RemotetaskClient.service}.
 */
export type { RequestOptions };

export class RemotetaskClient implements ApiRequester {
  readonly url: string;
  readonly #headers: Record<string, string> = { accept: 'application/json' };
  readonly #fetch: typeof fetch;

  constructor(options: RemotetaskClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_URL).replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    if (options.username !== undefined) {
      this.#headers.authorization = `Basic ${base64(`${options.username}:${options.password ?? ''}`)}`;
    } else if (options.token !== undefined) {
      this.#headers.authorization = `Bearer ${options.token}`;
    }
  }

  /** The routes of one task service: `site@Service`, `@Service` for the root site. */
  service(address: string = DEFAULT_SERVICE): ServiceClient {
    return new ServiceClient(this, address);
  }

  /** `GET /api/sites`: every site with its services. */
  async sites(): Promise<SiteJson[]> {
    return (await this.request<{ sites: SiteJson[] }>('/api/sites')).sites;
  }

  /** `GET /api/workers`: every process serving the store, lost ones too, with the jobs each runs. */
  workers(): Promise<WorkersJson> {
    return this.request<WorkersJson>('/api/workers');
  }

  /** `POST /api/workers/{id}/drain` (or `…/undrain`): the process finishes its jobs and claims none (or claims again). */
  setWorkerDraining(id: string, draining: boolean): Promise<{ id: string; draining: boolean }> {
    return this.request(`/api/workers/${encodeURIComponent(id)}/${draining ? 'drain' : 'undrain'}`, { method: 'POST' });
  }

  /** `GET /healthz`: resolves when the server and its job store are up; throws a 503 error when the store is not. */
  health(): Promise<{ status: 'ok' }> {
    return this.request('/healthz');
  }

  /** `GET /metrics`: Prometheus' text format. */
  metrics(): Promise<string> {
    return this.request('/metrics', { expect: 'text' });
  }

  /** `GET /openapi.json`: the OpenAPI 3 document of the API. */
  openApi(): Promise<Record<string, unknown>> {
    return this.request('/openapi.json');
  }

  /** `POST /api/files` (the files plugin): uploads a file (a `Blob`; in Node `fs.openAsBlob(path)` streams it from disk). */
  uploadFile(file: Blob, name: string, options: { signal?: AbortSignal } = {}): Promise<UploadedFile> {
    const form = new FormData();
    form.append('file', file, name);
    return this.request('/api/files', { method: 'POST', form, signal: options.signal });
  }

  /** `GET /api/files/{id}`, by id or by a result's `url`: the response, its body to be read as a stream. */
  downloadFile(idOrUrl: string, options: { signal?: AbortSignal } = {}): Promise<Response> {
    const path = idOrUrl.startsWith('/api/files/') ? idOrUrl : `/api/files/${encodeURIComponent(idOrUrl)}`;
    return this.request(path, { expect: 'response', accept: '*/*', signal: options.signal });
  }

  /** Sends one request; the path is relative to the server's URL. */
  async request<T>(path: string, options: RequestOptions & { expect: 'response' }): Promise<Response>;
  async request<T>(path: string, options?: RequestOptions): Promise<T>;
  async request<T>(path: string, options: RequestOptions = {}): Promise<T | Response> {
    const url = new URL(this.url + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers = { ...options.headers, ...this.#headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.expect === 'response') headers.accept = options.accept ?? 'text/event-stream';
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: options.method ?? 'GET',
        headers,
        body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: options.signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RemotetaskHttpError(0, 'connection_failed', `cannot reach ${this.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (!response.ok) throw await errorOf(response);
    if (options.expect === 'response') return response;
    if (options.expect === 'text') return (await response.text()) as T;
    return (await response.json()) as T;
  }
}

async function errorOf(response: Response): Promise<RemotetaskHttpError> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (error?.code && error.message) return new RemotetaskHttpError(response.status, error.code, error.message, error.details);
  } catch {
    // Not our JSON (a proxy's page, say): fall through to the status line.
  }
  return new RemotetaskHttpError(response.status, `http_${response.status}`, `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}
