import { describe, expect, it } from 'vitest';
import { niceCeiling, throughputChart } from './chart.js';
import { compactTimeElement, formatDuration, formatInZone, relativeTime } from './format.js';
import { statusBadge } from './layout.js';
import { encodeAddress, jobsUrl, parseTrail, safeLocalPath } from './urls.js';

const NOW = Date.UTC(2026, 4, 4, 12, 0, 0);

describe('urls', () => {
  it('keeps service addresses readable', () => {
    expect(encodeAddress('@RootTaskService')).toBe('@RootTaskService');
    expect(encodeAddress('site 1@S/x')).toBe('site%201@S%2Fx');
  });

  it('writes only what differs from the defaults, and the trail of earlier pages', () => {
    expect(jobsUrl('@S')).toBe('/services/@S/jobs');
    expect(jobsUrl('@S', { status: 'start later', sort: '-id', limit: 50, trail: [] })).toBe('/services/@S/jobs?status=start+later');
    const url = jobsUrl('@S', { cursor: 'c2', trail: ['', 'c1'] });
    expect(url).toBe('/services/@S/jobs?cursor=c2&trail=%7E.c1');
    expect(parseTrail(new URL(url, 'http://x').searchParams.get('trail')!)).toEqual(['', 'c1']);
  });

  it('goes back only to this server\'s paths', () => {
    expect(safeLocalPath('/services/@S/jobs?status=queued')).toBe('/services/@S/jobs?status=queued');
    for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', undefined]) expect(safeLocalPath(evil)).toBe('/');
    // Browsers drop tabs and newlines from URLs: `/\t/evil.example` would be `//evil.example`.
    for (const evil of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/ /evil.example', '/\u0000/x', '/a\\b']) expect(safeLocalPath(evil), JSON.stringify(evil)).toBe('/');
    expect(safeLocalPath('/a/../services/@S?x=1#top')).toBe('/services/@S?x=1#top');
  });
});

describe('formatting', () => {
  it('writes table times short: the time today, the day this year, else the date', () => {
    expect(compactTimeElement(NOW - 3600_000, NOW).value).toBe('<time datetime="2026-05-04T11:00:00.000Z" title="2026-05-04 11:00:00 UTC">11:00:00</time>');
    expect(compactTimeElement(Date.UTC(2026, 1, 3, 8, 5), NOW).value).toContain('>Feb 3 08:05<');
    expect(compactTimeElement(Date.UTC(2024, 1, 3), NOW).value).toContain('>2024-02-03<');
    expect(compactTimeElement(null, NOW).value).toBe('');
  });

  it('says durations and distances in time plainly', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 5 s');
    expect(relativeTime(NOW + 120_000, NOW)).toBe('in 2 min');
    expect(relativeTime(NOW - 7200_000, NOW)).toBe('2 h ago');
    expect(formatInZone(Date.UTC(2026, 0, 6, 8, 0), 'Europe/Berlin')).toMatch(/^2026-01-06 09:00 (GMT\+1|CET)$/);
  });

  it('gives each status its badge', () => {
    expect(statusBadge('start later').value).toBe('<span class="badge badge--start-later">start later</span>');
  });
});

describe('the throughput chart', () => {
  it('scales to a round maximum and draws a stacked bar per busy minute', () => {
    expect([0, 1, 3, 7, 12, 20, 51, 480].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 20, 100, 500]);
    const minutes = Array.from({ length: 61 }, (_, index) => ({ start: NOW - (60 - index) * 60_000, completed: index === 60 ? 7 : 0, failed: index === 60 ? 3 : 0 }));
    const svg = throughputChart({ minutes, readAt: NOW, failed: false }, '@S').value;
    expect(svg).toContain('7 completed');
    expect(svg).toContain('3 failed');
    expect(svg.match(/<rect class="bar-ok"/g)).toHaveLength(1);
    expect(svg.match(/<rect class="bar-failed"/g)).toHaveLength(1);
    expect(svg).toContain('<title>12:00 UTC: 7 completed, 3 failed</title>');
    expect(svg).toContain('10/min');
  });
});
