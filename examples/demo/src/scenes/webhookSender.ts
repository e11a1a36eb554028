import { randomBytes, randomUUID } from 'node:crypto';
import { createSecureFetch } from '@portcullis/egress';
import { createEnvelope, KeyringKek } from '@portcullis/envelope';
import { exampleDatabase } from '@portcullis-examples/webhook-sender/postgres';
import { startExampleReceiver } from '@portcullis-examples/webhook-sender/receiver';
import { createOrderService, WEBHOOK_SECRET } from '@portcullis-examples/webhook-sender/service';
import type { Scene } from '../scene.ts';

const STOPPED_BY = '@portcullis/webhook-sender';

/**
 * Outbound webhooks through the outbox: an order rolled back sends nothing; a receiver that fails
 * twice gets the event retried until it recovers, and processes it once; the same receiver, gone
 * (410), has its endpoint disabled at once; an endpoint aimed at the cloud metadata address is
 * refused by egress before any connection.
 */
export const webhookSenderScene: Scene = {
  name: 'webhook-sender',
  title:
    '@portcullis/webhook-sender: retried until the receiver recovers, 410 disables, metadata refused',
  async run({ say, record }) {
    const database = await exampleDatabase();
    const receiver = await startExampleReceiver({ secret: WEBHOOK_SECRET, failFirst: 2 });
    // Customer URLs: any host; only the demo receiver's loopback address is exempted.
    const fetch = createSecureFetch({
      allowHosts: ['*:*'],
      allowAddresses: ['127.0.0.1'],
      allowLoopbackHttp: true,
      maxRedirects: 0,
    });
    // Outbox payloads sealed at rest: the database holds ciphertext bound to each message.
    const envelope = createEnvelope({
      kek: new KeyringKek({ keys: [{ id: 'demo-kek', key: randomBytes(32) }] }),
    });
    const schema = `demo_${randomUUID().slice(0, 8)}`;
    const service = await createOrderService({
      databaseUrl: database.url,
      schema,
      fetch,
      payloadCipher: envelope,
      schedule: [0, 100, 100, 100, 100, 100],
    });
    const { sender } = service;
    const deliverUntil = async (done: () => Promise<boolean>): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await done())) {
        if ((await sender.runOnce()) === 0) await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const customer = await sender.addEndpoint({
        id: 'customer',
        url: receiver.url,
        secretRef: 'customer-hook',
      });

      const rolledBack = await service.placeOrder('ord_declined', { fail: true });
      await sender.runOnce();
      say(`order rolled back: ${receiver.requests} webhook requests`);
      record({
        scenario: 'order rolled back after enqueue',
        happened:
          rolledBack === undefined && receiver.requests === 0
            ? 'nothing sent'
            : 'a webhook was sent',
        stoppedBy: `${STOPPED_BY} (transactional outbox)`,
        held: rolledBack === undefined && receiver.requests === 0,
      });

      const id = (await service.placeOrder('ord_1')) as string;
      await deliverUntil(async () => (await sender.listDeliveries(id))[0]?.status === 'succeeded');
      const { rows } = await service.pool.query(
        `SELECT payload FROM "${schema}".messages WHERE id = $1`,
        [id],
      );
      const stored = Buffer.from(rows[0]?.payload ?? []);
      const readable = stored.toString('latin1').includes('ord_1');
      say(
        `outbox row in PostgreSQL: ${stored.length} bytes, ${stored.subarray(0, 8).toString('hex')}…`,
      );
      record({
        scenario: 'outbox table read straight from PostgreSQL',
        happened: readable
          ? 'the payload reads in the clear'
          : `ciphertext only (\\x${stored.subarray(0, 6).toString('hex')}…); delivered in the clear, signed`,
        stoppedBy: `@portcullis/envelope (payloadCipher of ${STOPPED_BY})`,
        held: stored.length > 0 && !readable,
      });
      const [state] = await sender.listDeliveries(id);
      const times = receiver.processed.get(id) ?? 0;
      say(
        `receiver failing: ${state?.status} after ${state?.attempts} attempts, processed ${times}x`,
      );
      record({
        scenario: 'receiver answers 500 twice, then recovers',
        happened: `${state?.status} after ${state?.attempts} attempts; handler ran ${times}x`,
        stoppedBy: `${STOPPED_BY} (retry schedule) + @portcullis/idempotency`,
        held: state?.status === 'succeeded' && state.attempts === 3 && times === 1,
      });

      receiver.gone();
      await service.placeOrder('ord_2');
      await deliverUntil(async () => service.disabled.length > 0);
      const disabled = service.disabled[0];
      say(
        `receiver gone: endpoint ${disabled ? `disabled (${disabled.reason})` : 'still enabled'}`,
      );
      record({
        scenario: 'receiver answers 410 Gone',
        happened: disabled
          ? `endpoint ${customer.id} disabled at once (reason ${disabled.reason})`
          : 'still enabled',
        stoppedBy: `${STOPPED_BY} (endpoint health)`,
        held:
          disabled?.reason === 'gone' &&
          (await sender.getEndpoint(customer.id)).disabledAt !== undefined,
      });

      await sender.addEndpoint({
        id: 'metadata',
        url: 'https://169.254.169.254/latest/meta-data/',
        secretRef: 'customer-hook',
      });
      const meta = (await service.placeOrder('ord_3')) as string;
      await deliverUntil(
        async () =>
          (await sender.listAttempts({ messageId: meta, endpointId: 'metadata' })).length > 0,
      );
      const [attempt] = await sender.listAttempts({ messageId: meta, endpointId: 'metadata' });
      say(`endpoint at the metadata address: ${attempt?.errorCode ?? 'no attempt'}`);
      record({
        scenario: 'endpoint registered at the cloud metadata address',
        happened: attempt
          ? `refused before connecting: ${attempt.errorCode}`
          : 'no attempt recorded',
        stoppedBy: `${STOPPED_BY} + @portcullis/egress`,
        held: attempt?.errorCode === 'ERR_SENDER_REFUSED' && attempt.httpStatus === undefined,
      });
    } finally {
      await service.close();
      await fetch.close();
      await receiver.close();
      await database.stop();
    }
  },
};
