import type { RemotetaskConfig } from '../config/define-config.js';
import type { Kernel } from '../kernel/kernel.js';
import type { TaskService } from '../service/task-service.js';
import type { JobStore } from '../store/job-store.js';
import type { Task } from '../tasks/task.js';

/** Container tokens: a Symbol and the type it resolves to, as Theia does. */
export type Token<T> = symbol & { readonly __type?: T };

/** Named bindings: tasks by task name, in the root (global) or in a site. */
export const TaskToken: Token<Task> = Symbol.for('remotetask.Task');
/** Named bindings: task services by service name, in their site. */
export const TaskServiceToken: Token<TaskService> = Symbol.for('remotetask.TaskService');
/** Root singletons. */
export const KernelToken: Token<Kernel> = Symbol.for('remotetask.Kernel');
export const JobStoreToken: Token<JobStore> = Symbol.for('remotetask.JobStore');
export const ConfigToken: Token<RemotetaskConfig> = Symbol.for('remotetask.Config');
