import { definePlugin, type JobRecord, SimpleTask } from 'remotetask';
import { type DetailRenderer, DetailRenderers } from 'remotetask/dashboard';

/** The seed's first task: returns its input unchanged. */
export const echoTask = new SimpleTask(function echo(input: unknown) {
  return input;
}, { description: 'Returns its input unchanged.' });

/** The seed's `echo_detail` view: `echo: foo=bar` for the input `{ foo: 'bar' }`. */
export const echoDetail: DetailRenderer = {
  task: 'echo',
  detail(job: JobRecord): string {
    const { input } = job;
    if (input === null || input === undefined) return 'echo:';
    if (typeof input !== 'object' || Array.isArray(input)) return `echo: ${JSON.stringify(input)}`;
    const pairs = Object.entries(input).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    return `echo: ${pairs.join(', ')}`;
  },
};

export default definePlugin({
  name: 'echo',
  version: '1.0.0',
  register(ctx) {
    ctx.addTask('echo', echoTask);
    // Read by the dashboard when it is loaded; a worker without it just never asks.
    ctx.contribute(DetailRenderers, echoDetail);
  },
});
