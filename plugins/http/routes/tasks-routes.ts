import type { TaskJson } from 'remotetask/client';
import { addressParamsSchema, errorResponses } from '../schemas/api-schemas.js';
import type { AddressParams, RegisterRoutes } from './route-types.js';

/** `GET /api/services/{address}/tasks`: what the service can run, with each task's input schema. */
export const registerTasksRoutes: RegisterRoutes = (app) => {
  app.get<{ Params: AddressParams }>('/tasks', {
    schema: {
      tags: ['tasks'],
      operationId: 'listTasks',
      summary: 'The tasks a service can run',
      params: addressParamsSchema,
      response: {
        200: {
          type: 'object',
          properties: {
            tasks: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  description: { type: ['string', 'null'] },
                  inputSchema: { description: 'a JSON Schema, or null when the task takes any input' },
                },
              },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request): Promise<{ tasks: TaskJson[] }> => {
    const service = request.service;
    const tasks = await service.getAvailableTasks();
    return {
      tasks: Object.entries(tasks).map(([name, task]) => ({
        name,
        description: task.description ?? null,
        inputSchema: task.inputSchema ?? null,
      })),
    };
  });
};
