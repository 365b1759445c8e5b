import { definePlugin, SimpleTask } from '../../core/index.js';

/** `flaky`: fails the first two runs of each job (`flaky run N`), then succeeds: three attempts. */
export const flakyTasks = definePlugin({
  name: 'flaky-tasks',
  register(ctx) {
    const runs = new Map<number, number>();
    ctx.addTask('flaky', new SimpleTask((_input: unknown, context) => {
      const run = (runs.get(context.jobId) ?? 0) + 1;
      runs.set(context.jobId, run);
      if (run <= 2) throw new Error(`flaky run ${run}`);
      return 'third time lucky';
    }, { description: 'Fails twice, then succeeds.' }));
  },
});

/** Service options under which each retry of `flaky` is due at once. */
export const NO_BACKOFF = { maxAttempts: 3, backoff: { base: 0, factor: 1, max: 0 } };
