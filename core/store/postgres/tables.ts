/** The store's tables, named in its schema (quoted). */
export interface Tables {
  /** The schema itself, for its functions. */
  readonly schema: string;
  readonly jobs: string;
  readonly completedCounts: string;
  readonly processes: string;
  readonly pausedServices: string;
  readonly attempts: string;
  /** Claims counted per gate in its current rate window (migration 9). */
  readonly gateWindows: string;
  readonly jobParents: string;
  readonly batches: string;
}

export function tablesIn(quotedSchema: string): Tables {
  return {
    schema: quotedSchema,
    jobs: `${quotedSchema}.jobs`,
    completedCounts: `${quotedSchema}.completed_counts`,
    processes: `${quotedSchema}.processes`,
    pausedServices: `${quotedSchema}.paused_services`,
    attempts: `${quotedSchema}.job_attempts`,
    gateWindows: `${quotedSchema}.gate_windows`,
    jobParents: `${quotedSchema}.job_parents`,
    batches: `${quotedSchema}.batches`,
  };
}

/**
 * A statement's SQL text, built once for each store's tables. Named statements are prepared once
 * per connection under their name, and planned once (generic plans: see STORE_PLANNER_SETTINGS).
 */
export function sqlText(build: (tables: Tables) => string): (tables: Tables) => string {
  const built = new WeakMap<Tables, string>();
  return (tables) => {
    let text = built.get(tables);
    if (text === undefined) {
      text = build(tables);
      built.set(tables, text);
    }
    return text;
  };
}
