import type { Command } from 'commander';
import { DEFAULT_SERVICE, DEFAULT_URL, RemotetaskClient } from '../client/index.js';
import { CliError } from './cli-error.js';
import { readHiddenLine } from './read-secret.js';

export interface ClientOptions {
  url: string;
  user?: string;
  service: string;
}

/** The options every client command takes: where the server is, who is asking, which service. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the server (env REMOTETASK_URL)', process.env.REMOTETASK_URL ?? DEFAULT_URL)
    .option('--user <name>', 'log in as this user; the password comes from env REMOTETASK_PASSWORD or a prompt (a token: env REMOTETASK_TOKEN)')
    .option('-s, --service <address>', 'the task service: site@Service, @Service for the root site', DEFAULT_SERVICE);
}

/** A client for the command's options: Basic auth with --user, else a bearer token from REMOTETASK_TOKEN. */
export async function clientFor(options: ClientOptions): Promise<RemotetaskClient> {
  if (!/^https?:\/\//.test(options.url)) throw new CliError(`--url must start with http:// or https://, got "${options.url}"`);
  if (options.user !== undefined) {
    let password = process.env.REMOTETASK_PASSWORD;
    if (password === undefined) {
      if (!process.stdin.isTTY) throw new CliError(`--user ${options.user} needs a password: set REMOTETASK_PASSWORD or run in a terminal to be asked`);
      password = await readHiddenLine(`Password for ${options.user}: `);
    }
    return new RemotetaskClient({ url: options.url, username: options.user, password });
  }
  const token = process.env.REMOTETASK_TOKEN;
  return new RemotetaskClient({ url: options.url, ...(token ? { token } : {}) });
}
