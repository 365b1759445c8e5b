import { CliError } from './cli-error.js';

/** Everything on stdin (a pipe or a file), without one trailing newline. */
export async function readStdin(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) text += chunk as string;
  return text.replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without echoing it (passwords). Ctrl-C or Ctrl-D gives up. */
export function readHiddenLine(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          finish();
          reject(new CliError('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    output.write(prompt);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/**
 * A secret from stdin when it is piped in, else from a prompt without echo (asked twice when
 * `confirm`, so a typo does not end up hashed).
 */
export async function readSecret(what: string, options: { confirm?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    const secret = await readStdin();
    if (secret === '') throw new CliError(`no ${what} on stdin`);
    return secret;
  }
  const secret = await readHiddenLine(`${what[0].toUpperCase()}${what.slice(1)}: `);
  if (secret === '') throw new CliError(`the ${what} is empty`);
  if (options.confirm && (await readHiddenLine(`The ${what} again: `)) !== secret) throw new CliError(`the two ${what}s differ`);
  return secret;
}
