/** Methods that change nothing: a page of any site may send them (it cannot read the answers). */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOrigin {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** `http` or `https` (a proxy's X-Forwarded-Proto when trusted). */
  protocol: string;
  /** The Host header (a proxy's X-Forwarded-Host when trusted). */
  host: string | undefined;
}

const DEFAULT_PORTS: Record<string, string> = { http: ':80', https: ':443' };

/** `scheme://host[:port]`, lowercase, without the scheme's default port. */
export function normalizeOrigin(origin: string): string {
  const lower = origin.trim().toLowerCase().replace(/\/$/, '');
  const scheme = lower.slice(0, lower.indexOf(':'));
  const port = DEFAULT_PORTS[scheme];
  return port && lower.endsWith(port) ? lower.slice(0, -port.length) : lower;
}

const headerOf = (headers: RequestOrigin['headers'], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Why a state-changing request is refused as coming from a page of another site, or undefined.
 * A browser lets any page send simple requests (forms, `fetch` in no-cors mode) to any server
 * without asking it first, and adds the user's credentials; it also says where they come from:
 * `Sec-Fetch-Site` (Chromium, Firefox, Safari) and `Origin`. Requests without either come from no
 * browser (the CLI, curl, an XML-RPC library) and pass.
 */
export function crossSiteProblem(request: RequestOrigin, allowedOrigins: string[]): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const site = headerOf(request.headers, 'sec-fetch-site');
  // The browser's own word, which holds behind a proxy that rewrites the Host.
  if (site === 'same-origin') return undefined;
  const origin = headerOf(request.headers, 'origin');
  if (origin !== undefined) {
    const from = normalizeOrigin(origin);
    if (request.host !== undefined && from === normalizeOrigin(`${request.protocol}://${request.host}`)) return undefined;
    if (allowedOrigins.some((allowed) => normalizeOrigin(allowed) === from)) return undefined;
    return (
      `a page of ${origin === 'null' ? 'an opaque origin' : origin} may not change anything here: requests from other sites are refused ` +
      '(add its origin to http.allowedOrigins if it is yours)'
    );
  }
  if (site === 'cross-site' || site === 'same-site') {
    return 'a page of another site may not change anything here: requests from other sites are refused (Sec-Fetch-Site)';
  }
  return undefined;
}
