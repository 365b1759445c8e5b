import type { FastifyInstance } from 'fastify';
import type { Asset } from '../assets.js';

/** The dashboard's files. A URL with the file's version may be cached for good; without, it is checked each time. */
export function registerAssetRoutes(app: FastifyInstance, assets: Asset[]): void {
  for (const asset of assets) {
    app.get<{ Querystring: { v?: string } }>(asset.path, { config: { dashboard: 'asset' } }, async (request, reply) => {
      reply.type(asset.type).header('etag', `"${asset.version}"`);
      reply.header('cache-control', request.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (request.headers['if-none-match'] === `"${asset.version}"`) return reply.code(304).send();
      return reply.send(asset.body);
    });
  }
}
