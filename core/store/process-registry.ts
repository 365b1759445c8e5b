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
  beats: ProcessBeat[],
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
    .map((beat) => ({
      ...beat,
      lost: isLost(beat, now),
      jobs: (byHolder.get(beat.id) ?? []).sort((a, b) => a.id - b.id),
    }))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.pid - b.pid || (a.id < b.id ? -1 : 1)));
}
