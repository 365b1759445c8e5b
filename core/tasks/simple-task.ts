import type { Task, TaskContext, TaskOptions } from './task.js';

export type TaskFunction<Input, Output> = (input: Input, context: TaskContext) => Output | Promise<Output>;

/** The seed's SimpleTask: a task made of a plain function. */
export class SimpleTask<Input = any, Output = unknown> implements Task<Input, Output> {
  readonly description?: string;
  readonly inputSchema?: TaskOptions['inputSchema'];
  readonly outputSchema?: TaskOptions['outputSchema'];
  readonly maxAttempts?: number;
  readonly timeout?: number;
  readonly runIn?: TaskOptions['runIn'];

  constructor(
    readonly fn: TaskFunction<Input, Output>,
    options: TaskOptions = {},
  ) {
    this.description = options.description;
    this.inputSchema = options.inputSchema;
    this.outputSchema = options.outputSchema;
    this.maxAttempts = options.maxAttempts;
    this.timeout = options.timeout;
    this.runIn = options.runIn;
  }

  run(input: Input, context: TaskContext): Output | Promise<Output> {
    return this.fn(input, context);
  }

  toString(): string {
    return `<SimpleTask ${this.fn.name || 'anonymous'}>`;
  }
}
