import type { Token } from '../registry/token.js';
import type { TaskService } from './task-service.js';

/** Named bindings: task services by service name, in their site. */
export const TaskServiceToken: Token<TaskService> = Symbol.for('remotetask.TaskService');
