/** The HTTP baseline: fastify (the version remotetask's http plugin uses) with one hello-world route. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('no port');
process.stdout.write(`READY http://127.0.0.1:${address.port}\n`);
process.on('SIGTERM', () => {
  app.close().finally(() => process.exit(0));
});
