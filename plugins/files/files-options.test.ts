import { describe, expect, it } from 'vitest';
import { cleanFileName, contentDisposition } from './content-disposition.js';
import { contentTypeOf } from './content-type.js';
import { isFileId, newFileId } from './file-id.js';
import { parseDuration, parseSize, resolveFilesSettings } from './files-options.js';

describe('files options', () => {
  it('defaults: ./data/files next to the config, 2 GiB, 7 days, hourly', () => {
    expect(resolveFilesSettings({}, '/srv/app')).toEqual({
      dir: '/srv/app/data/files',
      maxFileSize: 2 * 1024 ** 3,
      retentionMs: 7 * 86_400_000,
      sweepIntervalMs: 3_600_000,
    });
  });

  it('sizes and durations in words', () => {
    expect(resolveFilesSettings({ dir: '/abs', maxFileSize: '500MB', retention: '12h', sweepInterval: '10m' }, '/srv')).toEqual({
      dir: '/abs', maxFileSize: 500e6, retentionMs: 12 * 3_600_000, sweepIntervalMs: 600_000,
    });
    expect(resolveFilesSettings({ retention: false }, '/srv').retentionMs).toBeNull();
    expect(parseSize('64KiB', 'x')).toBe(65536);
    expect(parseSize('1.5 GiB', 'x')).toBe(1.5 * 1024 ** 3);
    expect(parseSize(1000, 'x')).toBe(1000);
    expect(parseDuration('7d', 'x')).toBe(7 * 86_400_000);
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(parseDuration(250, 'x')).toBe(250);
  });

  it('refuses what it cannot read, naming the option', () => {
    expect(() => resolveFilesSettings({ maxFileSize: '2 gallons' }, '/')).toThrow(/^plugin "files": option maxFileSize must be bytes or a size like "2GiB"/);
    expect(() => resolveFilesSettings({ retention: 'a week' }, '/')).toThrow(/^plugin "files": option retention must be milliseconds or a duration like "7d"/);
    expect(() => resolveFilesSettings({ retention: -5 }, '/')).toThrow(/retention must be a whole number of milliseconds/);
    expect(() => resolveFilesSettings({ directory: '/x' }, '/')).toThrow(/^plugin "files": unknown option\(s\) "directory"; it takes dir, maxFileSize, retention, sweepInterval$/);
    expect(() => resolveFilesSettings({ dir: '' }, '/')).toThrow(/option dir must be a directory path/);
  });
});

describe('file ids, names and types', () => {
  it('ids are 22 random base64url characters, and nothing else passes for one', () => {
    const ids = new Set(Array.from({ length: 1000 }, newFileId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isFileId(id)).toBe(true);
    for (const bad of ['../../etc/passwd', 'a'.repeat(21), 'a'.repeat(23), `${'a'.repeat(21)}/`, `${'a'.repeat(21)}.`, 42, null]) {
      expect(isFileId(bad)).toBe(false);
    }
  });

  it('content types by extension; anything a browser would run is a download', () => {
    expect(contentTypeOf('clip.MP4')).toBe('video/mp4');
    expect(contentTypeOf('a.webm')).toBe('video/webm');
    expect(contentTypeOf('a.gif')).toBe('image/gif');
    expect(contentTypeOf('a.mp3')).toBe('audio/mpeg');
    expect(contentTypeOf('a.avi')).toBe('video/x-msvideo');
    expect(contentTypeOf('page.html')).toBe('application/octet-stream');
    expect(contentTypeOf('image.svg')).toBe('application/octet-stream');
    expect(contentTypeOf('noextension')).toBe('application/octet-stream');
  });

  it('Content-Disposition keeps the name exactly (RFC 8187) with an ASCII fallback', () => {
    expect(contentDisposition('clip.mp4')).toBe(`attachment; filename="clip.mp4"; filename*=UTF-8''clip.mp4`);
    expect(contentDisposition('Über "quoted" 100%.mp4')).toBe(
      `attachment; filename="_ber _quoted_ 100_.mp4"; filename*=UTF-8''%C3%9Cber%20%22quoted%22%20100%25.mp4`,
    );
    expect(contentDisposition("it's (1).mp4")).toBe(`attachment; filename="it's (1).mp4"; filename*=UTF-8''it%27s%20%281%29.mp4`);
  });

  it('uploaded names lose paths and control characters, and are at most 255 characters', () => {
    expect(cleanFileName('C:\\Users\\me\\clip.avi')).toBe('clip.avi');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\r\nb\u0000.avi')).toBe('ab.avi');
    expect(cleanFileName('..')).toBe('file');
    expect(cleanFileName(undefined)).toBe('file');
    const long = cleanFileName(`${'x'.repeat(300)}.mp4`);
    expect(long).toHaveLength(255);
    expect(long.endsWith('.mp4')).toBe(true);
  });
});
