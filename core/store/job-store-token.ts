import type { Token } from '../registry/token.js';
import type { JobStore } from './job-store.js';

/** The kernel's job store: a root singleton. */
export const JobStoreToken: Token<JobStore> = Symbol.for('remotetask.JobStore');
