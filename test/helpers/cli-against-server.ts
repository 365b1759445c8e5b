import { afterAll, beforeAll } from 'vitest';
import { runCli } from './run-process.js';
import { type RunningServer, startRemotetaskServer } from './start-remotetask-server.js';

/**
 * A real `remotetask serve` for the test file (started before its tests, stopped after them) and
 * the CLI pointed at it: `cli('add', 'echo')` runs `remotetask add echo --url <server>`.
 */
export function cliAgainstServer(): (...args: string[]) => ReturnType<typeof runCli> {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startRemotetaskServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return (...args: string[]) => runCli([...args, '--url', server!.url]);
}
