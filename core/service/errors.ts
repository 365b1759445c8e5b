import type { JobStatus } from '../jobs/job.js';
import type { SchemaProblem } from '../tasks/task-schemas.js';

/** A task name the service does not know. */
export class UnknownTaskError extends Error {
  readonly code = 'unknown_task';

  constructor(
    readonly task: string,
    readonly available: string[],
    service: string,
  ) {
    super(
      `task "${task}" is not registered for service ${service}; available tasks: ${available.length ? available.join(', ') : '(none)'}`,
    );
    this.name = 'UnknownTaskError';
  }
}

/** A job id the service does not hold. */
export class UnknownJobError extends Error {
  readonly code = 'unknown_job';

  constructor(
    readonly jobId: number,
    service: string,
  ) {
    super(`job ${jobId} does not exist in service ${service}`);
    this.name = 'UnknownJobError';
  }
}

/** Input that fails the task's input schema: rejected before any job exists. */
export class InvalidInputError extends Error {
  readonly code = 'invalid_input';

  constructor(
    readonly task: string,
    readonly problems: SchemaProblem[],
  ) {
    super(
      `input for task "${task}" does not match its schema: ${problems
        .map((p) => `${p.path || '(input)'} ${p.message}`)
        .join('; ')}`,
    );
    this.name = 'InvalidInputError';
  }
}

/** An operation that the job's current status does not allow. */
export class JobStateError extends Error {
  readonly code = 'job_state';

  constructor(
    readonly jobId: number,
    readonly status: JobStatus,
    message: string,
  ) {
    super(message);
    this.name = 'JobStateError';
  }
}

/** An address like `site1@Service` that names no service. */
export class UnknownServiceError extends Error {
  readonly code = 'unknown_service';

  constructor(
    readonly address: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'UnknownServiceError';
  }
}
