// `pnpm start`: with DATABASE_URL, against that database; without it, a throwaway PostgreSQL
// (the test harness's). Places three orders (one rolled back), delivers their webhooks to a
// receiver that fails twice before it recovers, and prints what each side saw.
import { createSecureFetch } from '@portcullis/egress';
import { exampleDatabase } from './postgres.ts';
import { startExampleReceiver } from './receiver.ts';
import { createOrderService, WEBHOOK_SECRET } from './service.ts';

const database = await exampleDatabase();
const databaseUrl = database.url;
const receiver = await startExampleReceiver({ secret: WEBHOOK_SECRET, failFirst: 2 });
// The receiver runs on loopback for the example: exempt that one address (never in production,
// where the default egress fetch refuses private and loopback addresses).
const fetch = createSecureFetch({
  allowHosts: ['127.0.0.1:*'],
  allowAddresses: ['127.0.0.1'],
  allowLoopbackHttp: true,
  maxRedirects: 0,
});
const service = await createOrderService({ databaseUrl, fetch, schedule: [0, 200, 400, 800] });
try {
  await service.sender.addEndpoint({ url: receiver.url, secretRef: 'customer-hook' });
  const ids = [
    await service.placeOrder('ord_1'),
    await service.placeOrder('ord_2', { fail: true }),
    await service.placeOrder('ord_3'),
  ];
  process.stdout.write(`enqueued: ${ids.map((id) => id ?? '(rolled back)').join(', ')}\n`);
  service.sender.start();
  const sent = ids.filter((id): id is string => id !== undefined);
  const deadline = Date.now() + 30_000; // generous: a loaded machine; the loop ends when both are in
  while (Date.now() < deadline && sent.some((id) => receiver.processed.get(id) !== 1)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const id of sent) {
    const [state] = await service.sender.listDeliveries(id);
    process.stdout.write(
      `${id}: ${state?.status} after ${state?.attempts} attempt(s), processed ${receiver.processed.get(id) ?? 0}x\n`,
    );
  }
  process.stdout.write(`receiver saw ${receiver.requests} requests\n`);
  const ok = sent.length === 2 && sent.every((id) => receiver.processed.get(id) === 1);
  process.stdout.write(ok ? 'delivered: each order event processed once\n' : 'NOT delivered\n');
  process.exitCode = ok ? 0 : 1;
} finally {
  await service.close();
  await fetch.close();
  await receiver.close();
  await database.stop();
}
