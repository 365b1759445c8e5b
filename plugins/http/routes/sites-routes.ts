import type { TaskService } from 'remotetask';
import type { ServiceJson, SiteJson } from 'remotetask/client';
import { errorResponses } from '../schemas/api-schemas.js';
import type { RegisterRoutes } from './route-types.js';

export function toServiceJson(service: TaskService): ServiceJson {
  return {
    name: service.name,
    address: service.address,
    site: service.site.name,
    processing: service.isProcessing(),
    processor: service.options.processor,
    maxConcurrency: service.options.processor === 'multi' ? service.options.maxConcurrency : 1,
  };
}

const serviceSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    address: { type: 'string' },
    site: { type: 'string' },
    processing: { type: 'boolean' },
    processor: { type: 'string', enum: ['simple', 'multi'] },
    maxConcurrency: { type: 'integer' },
  },
} as const;

/** `GET /api/sites`: the sites and their services, whether each is processing and with which processor. */
export const registerSitesRoutes: RegisterRoutes = (app, kernel) => {
  app.get('/api/sites', {
    schema: {
      tags: ['services'],
      operationId: 'listSites',
      summary: 'Sites, their task services and whether they are processing',
      response: {
        200: {
          type: 'object',
          properties: {
            sites: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string', description: '"" is the root site' }, services: { type: 'array', items: serviceSchema } },
              },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (): Promise<{ sites: SiteJson[] }> => ({
    sites: kernel.sites().map((site) => ({ name: site.name, services: kernel.servicesOf(site).map(toServiceJson) })),
  }));
};
