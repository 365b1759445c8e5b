/**
 * The exit codes of the `remotetask` client commands:
 * 0 done (for `add --wait`: the job completed), 1 the job failed or was cancelled,
 * 2 the command could not do its work (bad usage, the server refused, no connection).
 * `serve` exits 1 when it cannot start.
 */
export const EXIT = { OK: 0, JOB_FAILED: 1, USAGE: 2 } as const;

/** An error that ends the command with a message (no stack trace) and a chosen exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
