/** The credentials of an Authorization header, or undefined when it has none we understand. */
export type Credentials = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return undefined;
  const [, scheme, value] = match;
  if (/^bearer$/i.test(scheme)) return { kind: 'bearer', token: value };
  if (!/^basic$/i.test(scheme) || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
