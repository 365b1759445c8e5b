// The NOTIFY channels of the PostgreSQL store: what the listener listens on and the statements
// (and the add_job function) send. Names only, so that SQL text and listener share them without
// importing each other.

/** The channel every store of a database listens on; the payload is the service address. */
export const WAKE_CHANNEL = 'remotetask_wake';
/**
 * The channel of cancel requests for running jobs; the payload is `{"id": …, "service": …}`, sent by
 * the statement that set `cancel_requested`, for each job that newly got it.
 */
export const CANCEL_CHANNEL = 'remotetask_cancel';
/** The channel of fleet-wide pauses and resumes; the payload is the service address (or `process <id>` for a drain). */
export const CONTROL_CHANNEL = 'remotetask_control';
/** The channel of job events; the payload is a JSON array of events (see event-relay.ts). */
export const EVENTS_CHANNEL = 'remotetask_events';
/** The channel of jobs released by their parents' end: unlike the wake channel, our own sends count too. */
export const RELEASED_CHANNEL = 'remotetask_released';
/** The channel of blocked jobs that their parents' end released or cancelled, as JSON (migration 16): our own sends count too. */
export const FLOW_CHANNEL = 'remotetask_flow';
