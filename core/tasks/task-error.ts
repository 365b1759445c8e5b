const TASK_ERROR = Symbol.for('remotetask.TaskError');

/**
 * Thrown by a task to say "this job failed, don't retry": the job goes to `error` at once with the
 * message. Recognised by a brand rather than `instanceof`, so a plugin bundling its own copy of
 * remotetask still gets the right behaviour.
 */
export class TaskError extends Error {
  readonly [TASK_ERROR] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskError';
  }

  static is(error: unknown): error is TaskError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[TASK_ERROR] === true;
  }
}
