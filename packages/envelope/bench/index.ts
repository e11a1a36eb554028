// One command, one run: ops/s for seal and open at 1 KiB and 64 KiB against the raw floor
// (node:crypto AES-256-GCM with a cached key, random IV, the same context as AAD), JWE dir +
// A256GCM against jose alone, and KEK calls per 10,000 messages. The machine is shared: numbers
// are noisy; compare ratios within one run. Run: pnpm --filter @portcullis/envelope bench
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { createEnvelope, type Kek, KeyringKek } from '@portcullis/envelope';
import { decryptJwe, encryptJwe } from '@portcullis/envelope/jwe';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const context = { tenant: 'acme', purpose: 'outbox', messageId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' };
const AAD = Buffer.from(JSON.stringify(Object.entries(context).sort()));
const KEY = randomBytes(32);
const keyObject = createSecretKey(KEY);
const kek = new KeyringKek({ keys: [{ id: 'kek-bench', key: randomBytes(32) }] });

function rawSeal(plaintext: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyObject, iv);
  cipher.setAAD(AAD);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}
function rawOpen(sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', keyObject, sealed.subarray(0, 12));
  decipher.setAAD(AAD);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([
    decipher.update(sealed.subarray(12, sealed.length - 16)),
    decipher.final(),
  ]);
}

interface Row {
  op: string;
  size: string;
  name: string;
  hz: number;
}

async function run(tasks: Record<string, () => unknown>): Promise<Map<string, number>> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn as () => Promise<void>);
  await bench.run();
  return new Map(
    bench.tasks.map((t) => [
      t.name,
      t.result?.state === 'completed' ? t.result.throughput.mean : 0,
    ]),
  );
}

async function suite(size: string, bytes: number): Promise<Row[]> {
  const plaintext = randomBytes(bytes);
  const envelope = createEnvelope({ kek });
  const sealed = await envelope.seal(plaintext, context);
  const raw = rawSeal(plaintext);
  const jweKey = { kid: 'kek-bench', key: KEY };
  const ours = await encryptJwe(plaintext, { key: jweKey });
  const hz = await run({
    'seal: raw node:crypto AES-256-GCM (floor)': () => rawSeal(plaintext),
    'seal: raw node:crypto AES-256-GCM in an async function': async () => rawSeal(plaintext),
    'seal: @portcullis/envelope': () => envelope.seal(plaintext, context),
    'open: raw node:crypto AES-256-GCM (floor)': () => rawOpen(raw),
    'open: raw node:crypto AES-256-GCM in an async function': async () => rawOpen(raw),
    'open: @portcullis/envelope': () => envelope.open(sealed, context),
    'JWE encrypt: jose CompactEncrypt (floor)': () =>
      new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'kek-bench' })
        .encrypt(KEY),
    'JWE encrypt: encryptJwe': () => encryptJwe(plaintext, { key: jweKey }),
    'JWE decrypt: jose compactDecrypt (floor)': () => compactDecrypt(ours, KEY),
    'JWE decrypt: decryptJwe': () => decryptJwe(ours, { keys: [jweKey] }),
  });
  return [...hz].map(([name, value]) => {
    const [op, who] = name.split(': ') as [string, string];
    return { op, size, name: who, hz: value };
  });
}

async function kekCallsPer10k(): Promise<{ write: number; read: number }> {
  let calls = 0;
  const counting: Kek = {
    kind: 'counting',
    generateDataKey: (c) => {
      calls++;
      return kek.generateDataKey(c);
    },
    wrap: (k, c) => {
      calls++;
      return kek.wrap(k, c);
    },
    unwrap: (id, w, c) => {
      calls++;
      return kek.unwrap(id, w, c);
    },
  };
  const writer = createEnvelope({ kek: counting });
  const sealed: Uint8Array[] = [];
  for (let i = 0; i < 10_000; i++)
    sealed.push(await writer.seal(new Uint8Array(64), { ...context, messageId: `m${i}` }));
  const write = calls;
  calls = 0;
  const reader = createEnvelope({ kek: counting });
  for (let i = 0; i < 10_000; i++)
    await reader.open(sealed[i] as Uint8Array, { ...context, messageId: `m${i}` });
  return { write, read: calls };
}

const rows = [...(await suite('1 KiB', 1024)), ...(await suite('64 KiB', 65_536))];
const out = (s: string) => process.stdout.write(`${s}\n`);
out('| operation | size | implementation | ops/s | × floor |');
out('| --- | --- | --- | ---: | ---: |');
for (const row of rows) {
  const floor = rows.find(
    (r) => r.op === row.op && r.size === row.size && r.name.endsWith('(floor)'),
  );
  const ratio = floor && floor.hz > 0 ? (row.hz / floor.hz).toFixed(2) : '—';
  out(
    `| ${row.op} | ${row.size} | ${row.name} | ${Math.round(row.hz).toLocaleString('en-US')} | ${ratio} |`,
  );
}
const calls = await kekCallsPer10k();
out('');
out(
  `KEK calls per 10,000 messages (one partition, defaults): sealing ${calls.write}, opening in a fresh process ${calls.read}`,
);
