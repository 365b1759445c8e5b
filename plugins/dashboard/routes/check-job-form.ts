import { MAX_PRIORITY, MIN_PRIORITY, type KeyOptions, type SchemaProblem, type TaskService, validateTaskInput } from 'remotetask';
import { JsonTextError, parseJsonText } from 'remotetask/http';
import type { FormErrors, JobFormValues, TaskOption } from '../views/forms-view.js';
import { checkKeyForm } from './check-key-form.js';

/** A schema problem as the form shows it: `size: must be >= 16`, `The input must be object`. */
export function describeProblem(problem: SchemaProblem): string {
  if (problem.path === '') return `The input ${problem.message}`;
  const where = problem.path.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  return `${where}: ${problem.message}`;
}

export interface CheckedJobForm {
  errors: FormErrors;
  input: unknown;
  priority: number;
  /** The key options for `add` ({} for none). */
  keyOptions: KeyOptions;
}

/** The priority field: empty for 0, else a whole number in range. */
function checkPriority(text: string, errors: FormErrors): number {
  if (text === '') return 0;
  const priority = Number(text);
  if (/^-?\d+$/.test(text) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY) return priority;
  errors.priority = `A priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY} (lower runs first); "${text}" is not.`;
  return 0;
}

/**
 * Checks the task and input of a job form: the task must be one the service can run, the input
 * JSON (empty for none) that fits the task's schema. The errors are by field.
 */
export function checkJobForm(service: TaskService, values: JobFormValues): CheckedJobForm {
  const errors: FormErrors = {};
  const priority = checkPriority(values.priority, errors);
  const key = checkKeyForm(values);
  if (Object.keys(key.errors).length > 0) errors.key = key.errors;
  const keyOptions = key.options;
  let input: unknown = null;
  if (values.input.trim() !== '') {
    try {
      input = parseJsonText(values.input);
    } catch (error) {
      if (!(error instanceof JsonTextError)) throw error;
      // The same rules as the API's JSON bodies: "This is not valid JSON: …", "This may not hold the key …".
      errors.input = [`This ${error.message}`];
    }
  }
  if (values.task === '') {
    errors.task = 'Choose a task.';
    return { errors, input, priority, keyOptions };
  }
  const task = service.getTask(values.task);
  if (!task) {
    errors.task = `${service.address} has no task "${values.task}"; it has ${service.taskNames().join(', ') || 'none'}.`;
    return { errors, input, priority, keyOptions };
  }
  if (!errors.input) {
    const problems = validateTaskInput(task, input);
    if (problems.length > 0) errors.input = problems.map(describeProblem);
  }
  return { errors, input, priority, keyOptions };
}

export function hasErrors(errors: FormErrors): boolean {
  return Boolean(errors.task || errors.priority || errors.key || errors.input?.length || errors.form || (errors.schedule && Object.keys(errors.schedule).length > 0));
}

export function taskOptions(service: TaskService): TaskOption[] {
  return service.taskNames().map((name) => {
    const task = service.getTask(name);
    return { name, description: task?.description, inputSchema: task?.inputSchema };
  });
}
