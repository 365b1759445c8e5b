export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | string[] | undefined>;
  signal?: AbortSignal;
  /** A multipart body (file uploads), instead of a JSON `body`. */
  form?: FormData;
  /** `json` (default), `text`, or `response` for the caller to read the body itself (event streams, downloads). */
  expect?: 'json' | 'text' | 'response';
  /** The Accept header of an `expect: 'response'` request; default `text/event-stream`. */
  accept?: string;
  /** More request headers (`Last-Event-ID`). */
  headers?: Record<string, string>;
}

/** What sends a request to the web service and reads its answer: the client, as its parts see it. */
export interface ApiRequester {
  request<T>(path: string, options: RequestOptions & { expect: 'response' }): Promise<Response>;
  request<T>(path: string, options?: RequestOptions): Promise<T>;
}
