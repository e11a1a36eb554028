// Records audit entries as fast as it can into a JSONL trail until it is killed (SIGKILL): the
// crash the test simulates. Prints "ready" on stderr after the first batch is written.
import { createAuditLog, JsonlSink } from '@portcullis/audit';
import { readWorkerInput } from '../harness/worker.ts';

const { directory, key } = await readWorkerInput<{ directory: string; key: string }>();
const log = createAuditLog({
  sink: new JsonlSink({ directory, fsync: 'never' }),
  key,
  batchMaxEntries: 50,
  batchMaxDelayMs: 5,
});
let i = 0;
let announced = false;
for (;;) {
  for (let n = 0; n < 50; n++)
    log.record({ actor: 'worker', action: 'orders.export', count: ++i, outcome: 'success' });
  await log.flush();
  if (!announced) {
    announced = true;
    process.stderr.write('ready\n');
  }
}
