import type { JobEvent, JobEventBus } from '../service/job-events.js';
import type { JobStore } from '../store/job-store.js';

const EVENT_TYPES = new Set(['added', 'started', 'progress', 'completed', 'failed', 'retrying', 'cancelled', 'released']);

/** Whether a value from another process has the shape of a job event (the rest is passed through). */
function isJobEvent(value: unknown): value is JobEvent {
  const event = value as Partial<JobEvent> | null;
  return (
    typeof event === 'object' && event !== null &&
    typeof event.type === 'string' && EVENT_TYPES.has(event.type) &&
    typeof event.service === 'string' && Number.isSafeInteger(event.jobId) &&
    typeof event.task === 'string' && typeof event.status === 'string' && typeof event.time === 'number'
  );
}

/**
 * Joins the kernel's bus to the other processes on a shared store: the events this process makes
 * are published, those of the others delivered, and a lost connection is a gap (streams resync).
 * A one-process store has no relay: the bus stays local. Returns the disconnect function.
 */
export function connectEventRelay(events: JobEventBus, store: JobStore): () => void {
  const relay = store.eventRelay;
  if (!relay) return () => {};
  events.publishTo((event) => relay.publish(event));
  const unsubscribe = relay.subscribe({
    wanted: () => events.listened(),
    events: (batch) => {
      for (const event of batch) if (isJobEvent(event)) events.deliver(event);
    },
    lost: () => events.gap(),
  });
  return () => {
    events.publishTo(undefined);
    unsubscribe();
  };
}
