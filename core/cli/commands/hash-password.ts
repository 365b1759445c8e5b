import type { Command } from 'commander';
import { readSecret } from '../read-secret.js';
import { printLine } from '../print.js';

export function registerHashPassword(program: Command): void {
  program
    .command('hash-password')
    .description('hash a password for http.users.<name>.passwordHash (read from stdin, or asked for without echo)')
    .option('--token', 'hash a bearer token for tokenHash instead (sha256)')
    .option('--new-token', 'make a new random bearer token: prints the token and its tokenHash')
    .action(async (options: { token?: boolean; newToken?: boolean }) => {
      // The web service's own hashing, loaded only for this command.
      const { hashPassword } = await import('../../../plugins/http/auth/hash-password.js');
      const { generateToken, hashToken } = await import('../../../plugins/http/auth/hash-token.js');
      if (options.newToken) {
        const token = generateToken();
        printLine(`token: ${token}`);
        printLine(`tokenHash: ${hashToken(token)}`);
        return;
      }
      if (options.token) {
        printLine(hashToken(await readSecret('token')));
        return;
      }
      printLine(await hashPassword(await readSecret('password', { confirm: true })));
    });
}
