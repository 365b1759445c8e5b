import { describe, expect, it } from 'vitest';
import { runProcess } from './run-process.js';

const node = process.execPath;

describe('runProcess', () => {
  it('passes stdout on line by line and keeps the end of stderr', async () => {
    const lines: string[] = [];
    const result = await runProcess(node, ['-e', 'process.stdout.write("a=1\\nb=2\\nc"); process.stderr.write("oops"); process.exit(3)'], {
      onStdoutLine: (line) => lines.push(line),
    });
    expect(lines).toEqual(['a=1', 'b=2', 'c']);
    expect(result).toMatchObject({ code: 3, exitSignal: null, stderr: 'oops', aborted: false });
  });

  it('arguments are never a shell command', async () => {
    const result = await runProcess(node, ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '$(touch /tmp/x); rm -rf /', '`id`'], {
      collectStdout: true,
    });
    expect(JSON.parse(result.stdout)).toEqual(['$(touch /tmp/x); rm -rf /', '`id`']);
  });

  it('an abort sends SIGTERM, then SIGKILL to a process that ignores it; it resolves once the process is gone', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const running = runProcess(node, ['-e', 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000)'], {
      signal: controller.signal,
      killGrace: 300,
      onStdoutLine(line) {
        lines.push(line);
        if (line === 'ready') controller.abort();
      },
    });
    const result = await running;
    expect(lines).toEqual(['ready', 'ignoring SIGTERM']);
    expect(result).toMatchObject({ aborted: true, exitSignal: 'SIGKILL' });
  });

  it('does not start when already aborted; rejects when the program does not exist', async () => {
    expect(await runProcess(node, ['-e', ''], { signal: AbortSignal.abort() })).toMatchObject({ aborted: true, code: null });
    await expect(runProcess('/no/such/program', [])).rejects.toThrow(/ENOENT/);
  });
});
