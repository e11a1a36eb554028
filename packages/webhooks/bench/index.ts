// One command, one run: ops/s for sign and verify at 1 KiB and 64 KiB, for this package (Node
// crypto and Web Crypto paths), the raw floor and the providers' libraries, each as a ratio to
// the floor. Run: pnpm --filter @portcullis/webhooks bench
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { MemoryStore } from '@portcullis/core';
import { createSigner, createVerifier, schemes } from '@portcullis/webhooks';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { Bench } from 'tinybench';
import { measureVerifyEntry } from './size.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = Buffer.from(SECRET.slice(6), 'base64');
const STRIPE_SECRET = 'whsec_bench_stripe_secret';
const GH_SECRET = 'bench-github-secret';
const stripe = new Stripe('sk_test_not_used_no_network');
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

function jsonBody(size: number): Buffer {
  const item = '{"id":"evt_0123456789","type":"invoice.paid","amount":4200},';
  let text = '{"data":[';
  while (text.length + item.length + 2 <= size) text += item;
  text = `${text.slice(0, -1)}]}`;
  return Buffer.from(text.padEnd(size, ' '));
}

interface Row {
  op: 'verify' | 'sign';
  size: string;
  name: string;
  hz: number;
}

async function suite(sizeName: string, body: Buffer): Promise<Row[]> {
  const text = body.toString('utf8');
  const now = Math.floor(Date.now() / 1000);
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const keyObject = createSecretKey(KEY);
  const prefix = `${id}.${now}.`;
  const mac = createHmac('sha256', keyObject).update(prefix).update(body).digest();
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(now),
    'webhook-signature': `v1,${mac.toString('base64')}`,
  };
  const stripeHeader = stripe.webhooks.generateTestHeaderString({
    payload: text,
    secret: STRIPE_SECRET,
    timestamp: now,
  });
  const ghSignature = await octokitSign(GH_SECRET, text);

  const node = createVerifier({ secrets: SECRET, crypto: 'node', store: false });
  // The same schemes the provider libraries verify, for like-for-like rows.
  const nodeStripe = createVerifier({
    scheme: schemes.stripe,
    secrets: STRIPE_SECRET,
    crypto: 'node',
    store: false,
  });
  const nodeGithub = createVerifier({
    scheme: schemes.github,
    secrets: GH_SECRET,
    crypto: 'node',
    store: false,
  });
  const stripeHeaders = { 'stripe-signature': '' };
  const githubHeaders = { 'x-hub-signature-256': '' };
  const web = createVerifier({ secrets: SECRET, crypto: 'webcrypto', store: false });
  const nodeSigner = createSigner({ secrets: SECRET, crypto: 'node' });
  const webSigner = createSigner({ secrets: SECRET, crypto: 'webcrypto' });
  // Replay protection on: a pool of distinct ids, the memory store cleared when the pool wraps.
  const store = new MemoryStore({ maxEntries: 50_000 });
  const replay = createVerifier({ secrets: SECRET, crypto: 'node', store });
  const pool = await Promise.all(
    Array.from({ length: 20_000 }, (_, i) =>
      nodeSigner.sign({ id: `msg_${i}`, timestamp: now, body }),
    ),
  );
  let next = 0;
  const stdwh = new StandardWebhook(SECRET);
  const svix = new SvixWebhook(SECRET);
  stripeHeaders['stripe-signature'] = stripeHeader;
  githubHeaders['x-hub-signature-256'] = ghSignature;
  await nodeStripe.verify({ headers: stripeHeaders, body });
  await nodeGithub.verify({ headers: githubHeaders, body });
  // Sanity: every contender accepts the message before it is timed.
  await node.verify({ headers, body });
  await web.verify({ headers, body });
  stdwh.verify(body, headers);
  svix.verify(body, headers);
  stripe.webhooks.signature!.verifyHeader(text, stripeHeader, STRIPE_SECRET, 300);
  if (!(await octokitVerify(GH_SECRET, text, ghSignature)))
    throw new Error('octokit sanity check failed');

  const verify = new Bench({ time: TIME_MS, warmupTime: 100 });
  verify
    .add('floor: createHmac(KeyObject) + timingSafeEqual', () => {
      const expected = Buffer.from(headers['webhook-signature'].slice(3), 'base64');
      const got = createHmac('sha256', keyObject).update(prefix).update(body).digest();
      if (!timingSafeEqual(got, expected)) throw new Error('mismatch');
    })
    .add('floor with a raw key Buffer (no KeyObject)', () => {
      const expected = Buffer.from(headers['webhook-signature'].slice(3), 'base64');
      const got = createHmac('sha256', KEY).update(prefix).update(body).digest();
      if (!timingSafeEqual(got, expected)) throw new Error('mismatch');
    })
    .add('@portcullis/webhooks (node)', () => node.verify({ headers, body }))
    .add('@portcullis/webhooks (node, replay store on)', () => {
      if (next === pool.length) {
        next = 0;
        store.clear();
      }
      return replay.verify({ headers: pool[next++]!, body });
    })
    .add('@portcullis/webhooks (webcrypto)', () => web.verify({ headers, body }))
    .add('standardwebhooks', () => {
      stdwh.verify(body, headers, { jsonParse: false });
    })
    .add('svix', () => {
      svix.verify(body, headers);
    })
    .add('stripe (signature.verifyHeader)', () => {
      stripe.webhooks.signature!.verifyHeader(text, stripeHeader, STRIPE_SECRET, 300);
    })
    .add('@octokit/webhooks-methods', () => octokitVerify(GH_SECRET, text, ghSignature))
    .add('@portcullis/webhooks (node, stripe scheme)', () =>
      nodeStripe.verify({ headers: stripeHeaders, body }),
    )
    .add('@portcullis/webhooks (node, github scheme)', () =>
      nodeGithub.verify({ headers: githubHeaders, body }),
    );

  const signing = new Bench({ time: TIME_MS, warmupTime: 100 });
  const date = new Date(now * 1000);
  signing
    .add('floor: createHmac(KeyObject) → base64', () => {
      createHmac('sha256', keyObject).update(prefix).update(body).digest('base64');
    })
    .add('@portcullis/webhooks (node)', () => nodeSigner.sign({ id, timestamp: now, body }))
    .add('@portcullis/webhooks (webcrypto)', () => webSigner.sign({ id, timestamp: now, body }))
    .add('standardwebhooks', () => {
      stdwh.sign(id, date, body);
    })
    .add('svix', () => {
      svix.sign(id, date, body);
    })
    .add('stripe (generateTestHeaderString)', () => {
      stripe.webhooks.generateTestHeaderString({
        payload: text,
        secret: STRIPE_SECRET,
        timestamp: now,
      });
    })
    .add('@octokit/webhooks-methods', () => octokitSign(GH_SECRET, text));

  const rows: Row[] = [];
  for (const [op, bench] of [
    ['verify', verify],
    ['sign', signing],
  ] as const) {
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as {
        state: string;
        throughput?: { mean: number };
        error?: unknown;
      };
      if (result.state !== 'completed' || result.throughput === undefined) {
        throw new Error(`${op} ${task.name} did not complete`, { cause: result.error });
      }
      rows.push({ op, size: sizeName, name: task.name, hz: result.throughput.mean });
    }
  }
  return rows;
}

const rows = [
  ...(await suite('1 KiB', jsonBody(1024))),
  ...(await suite('64 KiB', jsonBody(64 * 1024))),
];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const lines = [
  '| op | body | implementation | ops/s | × floor |',
  '| --- | --- | --- | ---: | ---: |',
];
for (const row of rows) {
  const floor = rows.find(
    (r) => r.op === row.op && r.size === row.size && r.name.startsWith('floor:'),
  )!;
  lines.push(
    `| ${row.op} | ${row.size} | ${row.name} | ${fmt(row.hz)} | ${(row.hz / floor.hz).toFixed(2)} |`,
  );
}
console.log(
  `Node ${process.version}, ${process.platform}/${process.arch}, ${TIME_MS} ms per task\n`,
);
console.log(lines.join('\n'));

// Ours (Node path, Standard Webhooks) against each peer library, in the same run.
const peers = ['standardwebhooks', 'svix', 'stripe', '@octokit/webhooks-methods'];
const vs = [
  `| op | body | ${peers.map((p) => `ours ÷ ${p}`).join(' | ')} |`,
  `| --- | --- | ${peers.map(() => '---:').join(' | ')} |`,
];
for (const op of ['verify', 'sign'] as const) {
  for (const size of ['1 KiB', '64 KiB']) {
    const at = (prefix: string): number =>
      rows.find((r) => r.op === op && r.size === size && r.name.startsWith(prefix))?.hz ??
      Number.NaN;
    const ours = at('@portcullis/webhooks (node)');
    vs.push(
      `| ${op} | ${size} | ${peers.map((p) => `${(ours / at(p)).toFixed(2)}×`).join(' | ')} |`,
    );
  }
}
console.log(`\n${vs.join('\n')}`);

const size = await measureVerifyEntry();
console.log(`\n${size}`);
