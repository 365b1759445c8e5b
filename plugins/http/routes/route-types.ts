import type { FastifyInstance } from 'fastify';
import type { Kernel } from 'remotetask';

/** Adds a group of routes to the app. */
export type RegisterRoutes = (app: FastifyInstance, kernel: Kernel) => void;

export interface AddressParams {
  address: string;
}

export interface JobParams extends AddressParams {
  id: number;
}

/** The API's URL of a job. */
export function jobUrl(address: string, id: number): string {
  return `/api/services/${address}/jobs/${id}`;
}
