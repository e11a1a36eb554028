// examples/inbound-express over real HTTP: the shared inbound cases.
import type { AddressInfo } from 'node:net';
import { createApp } from '../../examples/inbound-express/src/app.ts';
import { inboundSuite } from './inboundCases.ts';

inboundSuite('express', async (options) => {
  const server = await new Promise<ReturnType<ReturnType<typeof createApp>['listen']>>(
    (resolve) => {
      const s = createApp(options).listen(0, '127.0.0.1', () => resolve(s));
    },
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
