import { describe, expect, it } from 'vitest';
import { crossSiteProblem, normalizeOrigin } from './cross-site-problem.js';
import { hostNameOf, hostProblem } from './host-problem.js';

describe('hostProblem', () => {
  const open = { allowedHosts: [], usersConfigured: false };
  it('reads the name of a Host header', () => {
    expect(hostNameOf('LocalHost:8080')).toBe('localhost');
    expect(hostNameOf('[::1]:8080')).toBe('[::1]');
    expect(hostNameOf('example.com.')).toBe('example.com');
  });
  it('answers loopback names without users, configured names always, and any name with users only when none are configured', () => {
    expect(hostProblem('127.0.0.1:80', open)).toBeUndefined();
    expect(hostProblem(undefined, open)).toMatch(/names no host/);
    expect(hostProblem('evil.test', open)).toMatch(/does not answer for the host "evil.test"/);
    expect(hostProblem('evil.test', { allowedHosts: [], usersConfigured: true })).toBeUndefined();
    expect(hostProblem('evil.test', { allowedHosts: ['tasks.lan'], usersConfigured: true })).toMatch(/tasks\.lan/);
    expect(hostProblem('tasks.lan:8080', { allowedHosts: ['tasks.lan'], usersConfigured: false })).toBeUndefined();
  });
});

describe('crossSiteProblem', () => {
  const request = (headers: Record<string, string>, method = 'POST') => ({ method, headers, protocol: 'http', host: 'localhost:8080' });
  it('normalizes origins: case and default ports', () => {
    expect(normalizeOrigin('HTTPS://Example.com:443/')).toBe('https://example.com');
    expect(normalizeOrigin('http://example.com:8080')).toBe('http://example.com:8080');
  });
  it('refuses other sites\' state-changing requests only', () => {
    expect(crossSiteProblem(request({ origin: 'http://evil.test' }), [])).toMatch(/http:\/\/evil\.test may not change anything/);
    expect(crossSiteProblem(request({ origin: 'http://evil.test' }, 'GET'), [])).toBeUndefined();
    expect(crossSiteProblem(request({ origin: 'http://localhost:8080' }), [])).toBeUndefined();
    expect(crossSiteProblem(request({ origin: 'http://evil.test' }), ['http://evil.test'])).toBeUndefined();
    expect(crossSiteProblem(request({ 'sec-fetch-site': 'same-site' }), [])).toMatch(/Sec-Fetch-Site/);
    expect(crossSiteProblem(request({}), [])).toBeUndefined();
  });
});
