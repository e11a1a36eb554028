import { randomBytes } from 'node:crypto';
import { createEnvelope, KeyringKek } from '@portcullis/envelope';

const kek = new KeyringKek({ keys: [{ id: 'kek-bench', key: randomBytes(32) }] });
const context = { tenant: 'acme', purpose: 'outbox', messageId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' };
const envelope = createEnvelope({ kek });
const p = randomBytes(1024);
const sealed = await envelope.seal(p, context);
const N = 200000;
let t = performance.now();
for (let i = 0; i < N; i++) await envelope.seal(p, context);
console.log('seal us', ((performance.now() - t) * 1000) / N);
t = performance.now();
for (let i = 0; i < N; i++) await envelope.open(sealed, context);
console.log('open us', ((performance.now() - t) * 1000) / N);
