import type { JobEventBus } from '../service/job-events.js';
import type { JobStore } from '../store/job-store.js';

/**
 * Hands the store's flow changes to the kernel's bus as job events: a blocked job released to the
 * queue is `released`, one its parent's failure cancelled is `cancelled` (with the reason). Every
 * process hears them from the store, so each delivers them to its own subscribers, and none
 * publishes them to the others. Returns the disconnect function.
 */
export function connectFlowChanges(events: JobEventBus, store: JobStore): () => void {
  return store.onFlowChanged(({ service, jobId, task, status, time, error }) => {
    events.deliver({
      type: status === 'queued' ? 'released' : 'cancelled', service, jobId, task, status, time, ...(error === null ? {} : { error }),
    });
  });
}
