// examples/inbound-fastify over real HTTP: the shared inbound cases.
import type { AddressInfo } from 'node:net';
import { createApp } from '../../examples/inbound-fastify/src/app.ts';
import { inboundSuite } from './inboundCases.ts';

inboundSuite('fastify', async (options) => {
  const app = createApp(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
});
