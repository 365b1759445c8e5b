import {
  InvalidCursorError,
  InvalidInputError,
  isStoreUnreachable,
  JobStateError,
  KeyOptionsError,
  KeyTakenError,
  GateOptionsError,
  FlowOptionsError,
  UnknownParentError,
  ScheduleError,
  UnknownJobError,
  UnknownServiceError,
  UnknownTaskError,
} from 'remotetask';
import { FAULT_CODES } from '../xmlrpc/xmlrpc-fault.js';

/** Every error the core's service API throws to its callers; each carries its `code`. */
export type CoreError =
  | UnknownServiceError
  | UnknownJobError
  | UnknownTaskError
  | InvalidInputError
  | ScheduleError
  | JobStateError
  | InvalidCursorError
  | KeyOptionsError
  | KeyTakenError
  | GateOptionsError
  | FlowOptionsError
  | UnknownParentError;

export type CoreErrorCode = CoreError['code'];

/** How the web answers one core error: HTTP status (and the JSON body's details), XML-RPC fault code. */
export interface ErrorAnswer<E extends Error = Error> {
  /** The class that carries the code: another error that happens to have such a `code` is not answered so. */
  type: abstract new (...args: never[]) => E;
  status: number;
  fault: number;
  details?(error: E): unknown;
}

type ErrorAnswers = { [Code in CoreErrorCode]: ErrorAnswer<Extract<CoreError, { code: Code }>> };

/**
 * The one table from the core's error codes to the web's answers: the REST API's status and body,
 * the XML-RPC fault, the dashboard's page status. The compiler wants a row for every code.
 */
export const ERROR_ANSWERS: ErrorAnswers = {
  unknown_service: { type: UnknownServiceError, status: 404, fault: FAULT_CODES.UNKNOWN_SERVICE },
  unknown_job: { type: UnknownJobError, status: 404, fault: FAULT_CODES.UNKNOWN_JOB },
  unknown_task: { type: UnknownTaskError, status: 404, fault: FAULT_CODES.UNKNOWN_TASK, details: (error) => ({ available: error.available }) },
  invalid_input: { type: InvalidInputError, status: 422, fault: FAULT_CODES.INVALID_INPUT, details: (error) => error.problems },
  invalid_schedule: { type: ScheduleError, status: 400, fault: FAULT_CODES.INVALID_SCHEDULE },
  job_state: { type: JobStateError, status: 409, fault: FAULT_CODES.JOB_STATE, details: (error) => ({ status: error.status }) },
  invalid_cursor: { type: InvalidCursorError, status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  invalid_key_options: { type: KeyOptionsError, status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  // A retry whose key another job holds now: a conflict with the job's state, as job_state is.
  key_taken: { type: KeyTakenError, status: 409, fault: FAULT_CODES.JOB_STATE, details: (error) => ({ key: error.key, heldBy: error.holderId }) },
  invalid_gate_options: { type: GateOptionsError, status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  invalid_flow: { type: FlowOptionsError, status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  unknown_parent: { type: UnknownParentError, status: 422, fault: FAULT_CODES.INVALID_PARAMS, details: (error) => ({ unknown: error.ids }) },
};

/** A store that cannot be reached is no error class of the core but the driver's own (refused, reset, shutting down). */
const STORE_UNREACHABLE = {
  code: 'store_unreachable',
  status: 503,
  fault: FAULT_CODES.STORE_UNREACHABLE,
  message: 'the job store cannot be reached right now; nothing was changed: try again shortly',
  details: undefined,
} as const;

export interface CoreErrorAnswer {
  code: CoreErrorCode | typeof STORE_UNREACHABLE.code;
  status: number;
  fault: number;
  message: string;
  /** undefined when the code has none: the body then has no `details`. */
  details: unknown;
}

/** The answer to a core error; undefined for anything else. */
export function answerOf(error: unknown): CoreErrorAnswer | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_ANSWERS, code)) return isStoreUnreachable(error) ? STORE_UNREACHABLE : undefined;
  const answer = ERROR_ANSWERS[code as CoreErrorCode] as ErrorAnswer;
  if (!(error instanceof answer.type)) return undefined;
  return { code: code as CoreErrorCode, status: answer.status, fault: answer.fault, message: error.message, details: answer.details?.(error) };
}
