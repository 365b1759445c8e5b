import { definePlugin, SimpleTask } from 'remotetask';

/** The seed's first task: returns its input unchanged. */
export const echoTask = new SimpleTask(function echo(input: unknown) {
  return input;
}, { description: 'Returns its input unchanged.' });

export default definePlugin({
  name: 'echo',
  version: '1.0.0',
  register(ctx) {
    ctx.addTask('echo', echoTask);
  },
});
