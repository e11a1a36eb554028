// A node-redis client as the README tells users to make one: no offline queue (commands fail at
// once while disconnected), errors handled, quick reconnects.
import { createClient } from 'redis';

export type Client = ReturnType<typeof createClient>;

export async function connectClient(url: string): Promise<Client> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries) => Math.min(20 * 2 ** retries, 200),
    },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}
