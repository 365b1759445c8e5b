import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, type ConversionPlan } from './build-ffmpeg-args.js';
import { outputName } from './video-convert-task.js';

const plan = (extra: Partial<ConversionPlan> = {}): ConversionPlan => ({
  input: '/media/in put.avi',
  output: '/data/files/abc.part',
  to: 'mp4',
  withAudio: true,
  ...extra,
});

/** The value after `flag`. */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('buildFfmpegArgs', () => {
  it('mp4: H.264 + AAC, paths behind file:, input locked to local files and known containers, progress on stdout', () => {
    const args = buildFfmpegArgs(plan());
    expect(args.slice(0, 5)).toEqual(['-hide_banner', '-nostdin', '-v', 'error', '-y']);
    expect(after(args, '-protocol_whitelist')).toBe('file');
    expect(after(args, '-format_whitelist')).toMatch(/^avi,mov,/);
    expect(after(args, '-format_whitelist')).not.toMatch(/hls|concat|image2|lavfi/);
    expect(after(args, '-i')).toBe('file:/media/in put.avi');
    expect(args.at(-1)).toBe('file:/data/files/abc.part');
    expect(after(args, '-f')).toBe('mp4');
    expect(after(args, '-c:v')).toBe('libx264');
    expect(after(args, '-c:a')).toBe('aac');
    expect(after(args, '-b:a')).toBe('128k');
    expect(after(args, '-crf')).toBe('23');
    expect(after(args, '-vf')).toBe('scale=trunc(iw/2)*2:trunc(ih/2)*2');
    expect(after(args, '-progress')).toBe('pipe:1');
    expect(args).toContain('-nostats');
  });

  it('webm: VP9 + Opus; bitrates and sizes given', () => {
    const args = buildFfmpegArgs(plan({ to: 'webm', videoBitrate: '800k', audioBitrate: '64k', width: 640 }));
    expect(after(args, '-c:v')).toBe('libvpx-vp9');
    expect(after(args, '-c:a')).toBe('libopus');
    expect(after(args, '-b:v')).toBe('800k');
    expect(after(args, '-b:a')).toBe('64k');
    expect(after(args, '-vf')).toBe('scale=640:-2');
    expect(after(args, '-f')).toBe('webm');
    expect(args).not.toContain('-crf');
  });

  it('gif: a palette, no audio; mp3: audio only', () => {
    const gif = buildFfmpegArgs(plan({ to: 'gif', height: 120 }));
    expect(after(gif, '-vf')).toBe('fps=10,scale=-2:120:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer');
    expect(gif).toContain('-an');
    expect(after(gif, '-f')).toBe('gif');
    const mp3 = buildFfmpegArgs(plan({ to: 'mp3' }));
    expect(mp3).toContain('-vn');
    expect(after(mp3, '-c:a')).toBe('libmp3lame');
    expect(after(mp3, '-map')).toBe('0:a:0');
    expect(after(mp3, '-f')).toBe('mp3');
  });

  it('a video without audio gets no audio map; start and duration are plain decimals before -i', () => {
    const args = buildFfmpegArgs(plan({ withAudio: false, start: 1e-7, duration: 2.5 }));
    expect(args).toContain('-an');
    expect(args).not.toContain('0:a:0');
    expect(after(args, '-ss')).toBe('0.000');
    expect(after(args, '-t')).toBe('2.500');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
  });

  it('only absolute paths', () => {
    expect(() => buildFfmpegArgs(plan({ input: '-i' }))).toThrow(/absolute paths only/);
  });

  it('the output is named after the source', () => {
    expect(outputName('clip.avi', 'mp4')).toBe('clip.mp4');
    expect(outputName('my.holiday.mov', 'gif')).toBe('my.holiday.gif');
    expect(outputName('.avi', 'mp3')).toBe('.avi.mp3');
    expect(outputName('', 'webm')).toBe('converted.webm');
  });
});

describe('lastErrorLine', () => {
  it('the last line, without the context prefix, and the server paths replaced by the user\'s names', async () => {
    const { lastErrorLine } = await import('./probe-media.js');
    expect(lastErrorLine('[mov @ 0x55aed26bc280] moov atom not found\nfile:/srv/my media/x.avi: Invalid data found when processing input\n', { '/srv/my media/x.avi': 'path "x.avi"' }))
      .toBe('Invalid data found when processing input');
    expect(lastErrorLine('[libx264 @ 0x1f] cannot open /data/files/abc.part for writing\n', { '/data/files/abc.part': 'the output' }))
      .toBe('cannot open the output for writing');
    expect(lastErrorLine('')).toBe('');
  });
});
