/**
 * A retry refused: the job would take its key again, but another job of the service holds it now
 * (it was added after this one let the key go). Nothing was changed.
 */
export class KeyTakenError extends Error {
  readonly code = 'key_taken';

  constructor(
    readonly jobId: number,
    readonly service: string,
    readonly key: string,
    readonly holderId: number,
  ) {
    super(
      `job ${jobId} cannot be retried: its key "${key}" is held by job ${holderId} of service ${service} now; ` +
        `retry it once job ${holderId} has let the key go (or cancel job ${holderId}), or add a new job`,
    );
    this.name = 'KeyTakenError';
  }
}
