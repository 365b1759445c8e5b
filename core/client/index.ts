/** `remotetask/client`: a typed fetch client of the remotetask web service. */
export { RemotetaskClient, DEFAULT_URL, DEFAULT_SERVICE, type RemotetaskClientOptions, type RequestOptions } from './remotetask-client.js';
export { ServiceClient } from './service-client.js';
export type { JobEventStream, JobEventStreamOptions } from './job-event-stream.js';
export { RemotetaskHttpError } from './remotetask-http-error.js';
export { readServerSentEvents, type ServerSentEvent } from './read-server-sent-events.js';
export type * from './api-types.js';
export type * from './flow-types.js';
