import * as core from 'remotetask';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../../test/helpers/capture-log.js';
import { describeError } from '../../dashboard/dashboard-error.js';
import { faultOf } from '../xmlrpc/fault-of.js';
import { FAULT_CODES } from '../xmlrpc/xmlrpc-fault.js';
import { answerOf, ERROR_ANSWERS } from './error-answers.js';
import { errorResponse } from './error-response.js';

/** One instance of every error class the core exports that a web caller can meet. */
const SAMPLES: Record<string, Error> = {
  UnknownServiceError: new core.UnknownServiceError('x@Y', 'site "x" not found (sites: "" (root))'),
  UnknownJobError: new core.UnknownJobError(42, '@RootTaskService'),
  UnknownTaskError: new core.UnknownTaskError('ehco', ['echo'], '@RootTaskService'),
  InvalidInputError: new core.InvalidInputError('greet', [{ path: '/name', message: 'must be string' }]),
  ScheduleError: new core.ScheduleError('minute: 75 is out of range 0-59'),
  JobStateError: new core.JobStateError(3, 'queued', 'job 3 is queued, not "start later"'),
  InvalidCursorError: new core.InvalidCursorError('the cursor was made for another sort'),
  KeyOptionsError: new core.KeyOptionsError('keyPeriod (seconds after the job ended) goes with keyScope "finished", and only with it'),
  KeyTakenError: new core.KeyTakenError(7, '@RootTaskService', 'nightly', 9),
  GateOptionsError: new core.GateOptionsError('queue must be a name of 1 to 200 characters; got ""'),
  FlowOptionsError: new core.FlowOptionsError('onParentFailure must be cancel or run; got "ignore"'),
  UnknownParentError: new core.UnknownParentError([7], '@RootTaskService'),
};

/** Core errors that never reach a web answer, and why. */
const NOT_ANSWERED: Record<string, string> = {
  ConfigError: 'thrown while the kernel boots, before any server listens',
  TaskError: 'thrown by a task to its processor; it becomes the job\'s error, not an answer',
  SnoozeError: 'thrown by a task to its processor; the job waits delayed, no answer is made of it',
  HostClientError: 'thrown by add() given a pg client of the host (transactional enqueue, in process only); no route takes a client',
};

/** The answers as they were before there was a table: a row that changes is a change clients see. */
const EXPECTED = {
  unknown_service: { status: 404, fault: FAULT_CODES.UNKNOWN_SERVICE },
  unknown_job: { status: 404, fault: FAULT_CODES.UNKNOWN_JOB },
  unknown_task: { status: 404, fault: FAULT_CODES.UNKNOWN_TASK },
  invalid_input: { status: 422, fault: FAULT_CODES.INVALID_INPUT },
  invalid_schedule: { status: 400, fault: FAULT_CODES.INVALID_SCHEDULE },
  job_state: { status: 409, fault: FAULT_CODES.JOB_STATE },
  invalid_cursor: { status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  invalid_key_options: { status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  key_taken: { status: 409, fault: FAULT_CODES.JOB_STATE },
  invalid_gate_options: { status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  invalid_flow: { status: 400, fault: FAULT_CODES.INVALID_PARAMS },
  unknown_parent: { status: 422, fault: FAULT_CODES.INVALID_PARAMS },
};

const errorClassNames = Object.entries(core)
  .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
  .map(([name]) => name)
  .sort();

describe('the error table', () => {
  it('has a sample for every error class the core exports, or says why the class is never answered', () => {
    expect(errorClassNames).toEqual([...Object.keys(SAMPLES), ...Object.keys(NOT_ANSWERED)].sort());
  });

  it('gives every answered core error class its own code, and every code one row of that class', () => {
    const codes = Object.entries(SAMPLES).map(([name, error]) => {
      const { code } = error as Error & { code?: unknown };
      expect(typeof code, name).toBe('string');
      const row = ERROR_ANSWERS[code as keyof typeof ERROR_ANSWERS];
      expect(row, `${name}: ${String(code)}`).toBeDefined();
      expect(row.type).toBe(core[name as keyof typeof core]);
      return code;
    });
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(ERROR_ANSWERS).sort()).toEqual([...codes].sort());
  });

  it('maps each code to one HTTP status and one XML-RPC fault code, as they were', () => {
    const faultCodes: number[] = Object.values(FAULT_CODES);
    for (const [code, row] of Object.entries(ERROR_ANSWERS)) {
      expect(Number.isInteger(row.status) && row.status >= 400 && row.status < 500, code).toBe(true);
      expect(faultCodes, code).toContain(row.fault);
    }
    expect(Object.fromEntries(Object.entries(ERROR_ANSWERS).map(([code, { status, fault }]) => [code, { status, fault }]))).toEqual(EXPECTED);
  });

  it('is what the REST API, XML-RPC and the dashboard answer', () => {
    const { logger, records } = captureLog();
    for (const error of Object.values(SAMPLES)) {
      const code = (error as Error & { code: keyof typeof ERROR_ANSWERS }).code;
      const { status, fault } = ERROR_ANSWERS[code];
      expect(errorResponse(error)).toMatchObject({ statusCode: status, body: { error: { code, message: error.message } } });
      expect(faultOf(error, logger, 'add')).toMatchObject({ faultCode: fault, faultString: error.message });
      expect(describeError(error)).toEqual({ statusCode: status, message: error.message });
    }
    expect(records).toEqual([]);
  });

  it('keeps the details the REST API has always sent with some codes', () => {
    const details = (name: string) => errorResponse(SAMPLES[name]).body.error.details;
    expect(details('UnknownTaskError')).toEqual({ available: ['echo'] });
    expect(details('InvalidInputError')).toEqual([{ path: '/name', message: 'must be string' }]);
    expect(details('JobStateError')).toEqual({ status: 'queued' });
    for (const name of ['UnknownServiceError', 'UnknownJobError', 'ScheduleError', 'InvalidCursorError']) {
      expect(errorResponse(SAMPLES[name]).body.error, name).not.toHaveProperty('details');
    }
  });

  it('answers by class, not by the code alone: another error with such a code is unexpected', () => {
    const lookalike = Object.assign(new Error('from some library'), { code: 'unknown_job' });
    expect(answerOf(lookalike)).toBeUndefined();
    expect(errorResponse(lookalike)).toMatchObject({ statusCode: 500, body: { error: { code: 'internal' } } });
    expect(answerOf(null)).toBeUndefined();
    expect(answerOf({ code: 'toString' })).toBeUndefined();
  });
});
