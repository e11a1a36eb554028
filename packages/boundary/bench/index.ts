// One command, one run: ops/s for safe JSON parsing (vs JSON.parse, the floor, and
// secure-json-parse) and for a boundary on a ~20-field webhook payload, valid and invalid (vs
// JSON.parse + zod's safeParse, with and without formatting its error). Each row is a ratio of
// cost to its floor (>1 is slower). Run: pnpm --filter @portcullis/boundary bench
// Numbers on a shared 2-core machine are noisy: run twice and compare.
import { defineBoundary, parseJson } from '@portcullis/boundary';
import sjson from 'secure-json-parse';
import { Bench } from 'tinybench';
import { z } from 'zod';
import { payloadArray, webhookPayload } from './payload.ts';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

async function hz(tasks: Record<string, () => unknown>): Promise<Map<string, number>> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result as { state: string; throughput?: { mean: number }; error?: unknown };
    if (result.state !== 'completed' || result.throughput === undefined) {
      throw new Error(`${task.name} did not complete`, { cause: result.error });
    }
    out.set(task.name, result.throughput.mean);
  }
  return out;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const lines: string[] = ['| case | ops/s | cost vs floor |', '| --- | ---: | ---: |'];
function table(title: string, rates: Map<string, number>, floor: string): void {
  const base = rates.get(floor) as number;
  for (const [name, rate] of rates)
    lines.push(`| ${title}: ${name} | ${fmt(rate)} | ${(base / rate).toFixed(2)}× |`);
}

// 1. Safe JSON, all limits on (maxArrayLength raised only for the 64-payload array).
const limits = { maxArrayLength: 100_000 };
for (const [label, text] of [
  ['webhook 0.8 KiB', JSON.stringify(webhookPayload())],
  ['webhook pretty 1.3 KiB', JSON.stringify(webhookPayload(), null, 2)],
  ['64 webhooks 51 KiB', payloadArray(64)],
] as const) {
  table(
    `JSON ${label}`,
    await hz({
      'JSON.parse (floor)': () => JSON.parse(text),
      'parseJson (all limits)': () => parseJson(text, limits),
      'secure-json-parse': () => sjson.parse(text),
    }),
    'JSON.parse (floor)',
  );
}

// 2. Boundary on a ~20-field webhook, valid and invalid.
const Event = z.object({
  id: z.string(),
  object: z.literal('event'),
  type: z.string(),
  api_version: z.string(),
  created: z.number().int(),
  livemode: z.boolean(),
  pending_webhooks: z.number().int(),
  request: z.object({ id: z.string(), idempotency_key: z.string() }),
  data: z.object({
    object: z.object({
      id: z.string(),
      customer: z.string(),
      customer_email: z.email(),
      customer_name: z.string(),
      amount_due: z.number().int(),
      amount_paid: z.number().int(),
      currency: z.string().length(3),
      status: z.enum(['draft', 'open', 'paid', 'void']),
      paid: z.boolean(),
      attempt_count: z.number().int(),
      billing_reason: z.string(),
      hosted_invoice_url: z.url(),
      lines: z.array(
        z.object({
          id: z.string(),
          amount: z.number().int(),
          description: z.string(),
          quantity: z.number().int(),
        }),
      ),
      metadata: z.record(z.string(), z.string()),
    }),
  }),
});
const valid = JSON.stringify(webhookPayload());
const broken = webhookPayload() as { data: { object: Record<string, unknown> } };
Object.assign(broken.data.object, {
  amount_paid: '4200',
  currency: 'euro',
  status: 'unknown',
  customer_email: 'nope',
});
const invalid = JSON.stringify(broken);
const boundary = defineBoundary({ schema: Event });
const rates = await hz({
  'JSON.parse + zod safeParse, valid (floor)': () => Event.safeParse(JSON.parse(valid)),
  'boundary.parseJson, valid': () => boundary.parseJson(valid),
  'JSON.parse + zod safeParse, invalid (error not read)': () =>
    Event.safeParse(JSON.parse(invalid)),
  'JSON.parse + zod safeParse, invalid, error formatted': () => {
    const r = Event.safeParse(JSON.parse(invalid));
    return r.success ? r.data : z.prettifyError(r.error);
  },
  'boundary.safeParseJson, invalid (BoundaryError built, returned)': () =>
    boundary.safeParseJson(invalid),
  'boundary.parseJson, invalid (BoundaryError built, thrown, caught)': () => {
    try {
      return boundary.parseJson(invalid);
    } catch (error) {
      return error;
    }
  },
});
table('boundary 20-field webhook', rates, 'JSON.parse + zod safeParse, valid (floor)');
const ownValid = rates.get('boundary.parseJson, valid') as number;
const safeInvalid = rates.get(
  'boundary.safeParseJson, invalid (BoundaryError built, returned)',
) as number;
const thrownInvalid = rates.get(
  'boundary.parseJson, invalid (BoundaryError built, thrown, caught)',
) as number;
lines.push(
  `| boundary reject / own accept, safeParseJson | | ${(ownValid / safeInvalid).toFixed(2)}× |`,
);
lines.push(
  `| boundary reject / own accept, parseJson (throws) | | ${(ownValid / thrownInvalid).toFixed(2)}× |`,
);

process.stdout.write(`${lines.join('\n')}\n`);
