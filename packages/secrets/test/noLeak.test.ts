// Every error and every telemetry event the package produces in its failure paths, searched for
// the secret values involved: none may appear in a message, a stack, a cause chain, toJSON or a
// deep util.inspect.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ManualClock, MemoryStore, redacted } from '@portcullis/core';
import {
  createRotator,
  createSecretsCache,
  EnvProvider,
  FileProvider,
  MemoryProvider,
} from '@portcullis/secrets';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { FaultyProvider, flush, RecordingTelemetry } from './helpers.ts';

const SECRETS = ['sv-alpha-9f3k2m', 'sv-bravo-7q1x8z', 'sv-charlie-4n6p0w', 'sv-delta-2b5v7c'];
const [ALPHA, BRAVO, CHARLIE, DELTA] = SECRETS as [string, string, string, string];
const dir = mkdtempSync(join(tmpdir(), 'portcullis-noleak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function render(value: unknown): string {
  const parts: string[] = [];
  let e: unknown = value;
  for (let depth = 0; e !== undefined && depth < 10; depth++) {
    parts.push(String(e), inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true }));
    try {
      parts.push(JSON.stringify(e));
    } catch {
      // circular: inspect covered it
    }
    if (e instanceof Error) parts.push(e.message, e.stack ?? '');
    e = (e as { cause?: unknown })?.cause;
  }
  return parts.join('\n');
}

it('no secret value in any error or telemetry from the failure paths', async () => {
  const produced: unknown[] = [];
  const t = new RecordingTelemetry();
  const catching = async (work: () => Promise<unknown>): Promise<void> => {
    await work().then(
      () => {},
      (error: unknown) => void produced.push(error),
    );
  };
  const clock = new ManualClock(0);
  const memory = new MemoryProvider({
    clock,
    secrets: { alpha: ALPHA, json: `{"password":"${BRAVO}"` },
  });
  const faulty = new FaultyProvider(memory);
  const cache = createSecretsCache(faulty, {
    clock,
    telemetry: t,
    ttlMs: 1000,
    maxStaleMs: 2000,
    forceRefreshJitterMs: 0,
  });

  await cache.get('alpha');
  // outage past maxStale, with a foreign error that quotes the value
  faulty.failure = () => new Error(`upstream said ${ALPHA}`);
  for (let i = 0; i < 5; i++) {
    clock.advance(1000);
    await flush();
    await catching(() => cache.get('alpha'));
  }
  faulty.failure = undefined;
  // JSON that is not JSON, JSON that does not match (zod messages may quote input)
  await catching(() => cache.getJson('json', z.object({ password: z.string() })));
  memory.set('json', JSON.stringify({ password: BRAVO }));
  await catching(() =>
    cache.getJson(
      'json',
      z.object({ password: z.string().regex(/^never$/, { message: `bad ${BRAVO}` }) }),
    ),
  );
  await catching(() => cache.getJson('json', z.object({ password: z.number() })));
  // binary read as text, a reused token with another value
  memory.set('bin', new Uint8Array([1, 2, 3]));
  await catching(() => cache.get('bin'));
  const token = await memory.putVersion('alpha', redacted(CHARLIE), {
    token: 'tok',
    stage: 'pending',
  });
  await catching(() => memory.putVersion('alpha', redacted(DELTA), { token, stage: 'pending' }));
  // rotation whose test hook throws with the value in its message
  const rotator = createRotator({
    provider: memory,
    name: 'alpha',
    generate: () => DELTA,
    graceMs: 1000,
    clock,
    store: new MemoryStore({ clock }),
    telemetry: t,
    test: (c) => {
      throw new Error(`refused ${String(c.value.reveal())}`);
    },
  });
  await catching(() => rotator.rotate());
  rotator.stop();
  // env and file failures
  await catching(() => new EnvProvider({ env: { X: `base64:${ALPHA}!!` } }).get('x'));
  writeFileSync(join(dir, 'big'), ALPHA.repeat(10));
  await catching(() => new FileProvider({ directory: dir, maxBytes: 8, settleMs: 0 }).get('big'));
  await catching(() => new FileProvider({ directory: dir }).get(`../${ALPHA}`));
  await cache.close();
  await catching(() => cache.get('alpha'));

  expect(produced.length).toBeGreaterThanOrEqual(12);
  const text = [...produced.map(render), ...t.events.map((e) => JSON.stringify(e))].join('\n');
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  // and the failures are the typed ones we expect
  expect(produced.map((e) => (e as { code?: string }).code)).toContain('ERR_SECRET_STALE');
  expect(produced.map((e) => (e as { code?: string }).code)).toContain(
    'ERR_SECRET_ROTATION_FAILED',
  );
});
