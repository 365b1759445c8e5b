/** What a process says about itself with every heartbeat (see core/fleet/process-heartbeat.ts). */
export interface ProcessBeat {
  /** The process's worker id: the `lockedBy` of the jobs it holds. */
  id: string;
  host: string;
  pid: number;
  /** `serve`, `worker`, or `embedded` (a kernel in a host application). */
  role: string;
  version: string;
  /** The services it processes now, each with its concurrency. */
  services: { address: string; concurrency: number }[];
  started: number;
  /** When it beat (ms). */
  heartbeat: number;
  /** It counts as lost once `heartbeat + ttl` has passed without another beat (ms). */
  ttl: number;
  /** The runs that ended in this process (completed, failed or retried): in all, and in the minute before the beat. Absent in beats of older versions. */
  finished?: FinishedRuns;
}

/** A process's own count of the runs it ended, carried by its beat (core/fleet/finished-runs.ts counts them). */
export interface FinishedRuns {
  total: number;
  lastMinute: number;
}

/** What the registry tells a process with each beat it records: orders an operator gave it there. */
export interface ProcessOrders {
  /** Claim nothing, finish what it runs (set by `setProcessDraining`, kept until undone or the process stops). */
  draining: boolean;
}

/** A beat as a store keeps it, with the orders the registry holds for that process. */
export interface StoredBeat {
  beat: ProcessBeat;
  draining: boolean;
}

/** The payload of a control notification that concerns one process, not a service (addresses never hold a space). */
export function processControlKey(id: string): string {
  return `process ${id}`;
}

/** A job a process holds, as the registry lists it. */
export interface HeldJobEntry {
  id: number;
  service: string;
  task: string;
  /** When its current run began (null for a claimed job that has not started). */
  started: number | null;
}

export interface ProcessRecord extends ProcessBeat {
  /** Told to drain: it claims nothing and finishes what it runs. */
  draining: boolean;
  /** Whether its last beat is older than its ttl at the time asked: it died or lost the store. */
  lost: boolean;
  /** The jobs it holds leases on now, read from the jobs themselves, by id. */
  jobs: HeldJobEntry[];
}

/** The registry's rule of a lost process, one place for every store. */
export function isLost(beat: Pick<ProcessBeat, 'heartbeat' | 'ttl'>, now: number): boolean {
  return beat.heartbeat + beat.ttl < now;
}

/** Groups held jobs by holder and makes the records, ordered by host, then pid. */
export function toProcessRecords(
  beats: StoredBeat[],
  held: (HeldJobEntry & { lockedBy: string })[],
  now: number,
): ProcessRecord[] {
  const byHolder = new Map<string, HeldJobEntry[]>();
  for (const { lockedBy, ...job } of held) {
    let jobs = byHolder.get(lockedBy);
    if (!jobs) byHolder.set(lockedBy, (jobs = []));
    jobs.push(job);
  }
  return beats
    .map(({ beat, draining }) => ({
      ...beat,
      draining,
      lost: isLost(beat, now),
      jobs: (byHolder.get(beat.id) ?? []).sort((a, b) => a.id - b.id),
    }))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.pid - b.pid || (a.id < b.id ? -1 : 1)));
}
