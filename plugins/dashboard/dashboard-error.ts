import { answerOf } from 'remotetask/http';

/** An error the dashboard answers with its own status and a message for the user. */
export class DashboardError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DashboardError';
  }
}

/** The status and message a page shows for an error; anything unexpected is a bare 500 (the log has the rest). */
export function describeError(error: unknown): { statusCode: number; message: string } {
  if (error instanceof DashboardError) return { statusCode: error.statusCode, message: error.message };
  const core = answerOf(error);
  if (core) return { statusCode: core.status, message: core.message };
  const fastifyError = error as { statusCode?: number; validation?: unknown; message?: string };
  if (fastifyError?.validation) return { statusCode: 400, message: `The request is not valid: ${fastifyError.message}` };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { statusCode: fastifyError.statusCode, message: fastifyError.message ?? 'bad request' };
  }
  return { statusCode: 500, message: 'Something went wrong on the server; its log has the details.' };
}
