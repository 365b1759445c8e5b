import { type CliCommand, printLine, readSecret } from 'remotetask/cli';

/** `remotetask hash-password`: hashes for `http.users`, from the http plugin. */
export const hashPasswordCommand: CliCommand = {
  name: 'hash-password',
  register(program) {
    program
      .command('hash-password')
      .description('hash a password for http.users.<name>.passwordHash (read from stdin, or asked for without echo)')
      .option('--token', 'hash a bearer token for tokenHash instead (sha256)')
      .option('--new-token', 'make a new random bearer token: prints the token and its tokenHash')
      .action(async (options: { token?: boolean; newToken?: boolean }) => {
        const { hashPassword } = await import('../auth/hash-password.js');
        const { generateToken, hashToken } = await import('../auth/hash-token.js');
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
  },
};
