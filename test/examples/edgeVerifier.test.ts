// examples/edge-verifier, run for real: the Fetch-API handler called with real `Request`s (as
// Workers, Deno and Bun call it), its default export configured by Workers-style bindings, and
// the same handler behind the example's Node adapter on 127.0.0.1.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reveal } from '@portcullis/core';
import { createSigner, generateSecret, type VerifiedWebhook } from '@portcullis/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import edge, { createHandler } from '../../examples/edge-verifier/src/handler.ts';
import { serve } from '../../examples/edge-verifier/src/node.ts';
import { freePort, waitFor } from '../harness/ports.ts';
import { startProgram } from '../harness/worker.ts';

const current = generateSecret();
const previous = generateSecret();
const secrets = [
  { label: 'current', secret: current },
  { label: 'previous', secret: previous },
];

function request(url: string, headers: Record<string, string>, body: string): Request {
  return new Request(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
}

async function expectRefusal(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({
    name: 'WebhookError',
    code,
    message: expect.any(String),
    status,
  });
  expect(text).not.toMatch(/stack|at .*\.ts|whsec_/);
}

it('the handler file imports only the verify-only entry (and a type), nothing from Node', () => {
  const source = readFileSync(
    new URL('../../examples/edge-verifier/src/handler.ts', import.meta.url),
    'utf8',
  );
  const imports = [...source.matchAll(/^import (type )?[\s\S]*? from '([^']+)';$/gm)].map(
    (m) => `${m[1] ?? ''}${m[2]}`,
  );
  expect(imports).toEqual(['type @portcullis/core', '@portcullis/webhooks/verify']);
  expect(source).not.toMatch(/['"]node:|require\(|\bBuffer\b/);
  expect(source).toContain("crypto: 'webcrypto'");
});

describe('the handler, called with real Requests', () => {
  const seen: [unknown, VerifiedWebhook][] = [];
  const handler = createHandler({ secrets, onEvent: (e, v) => void seen.push([e, v]) });
  const url = 'https://hooks.example.com/';

  it('genuine 204, tampered 401 (safe JSON), replay 409, old secret accepted during rotation', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });
    const headers = await createSigner({ secrets: current }).sign({ body });

    expect((await handler.fetch(request(url, headers, body))).status).toBe(204);
    expect(seen.at(-1)?.[0]).toEqual(JSON.parse(body));
    expect(seen.at(-1)?.[1].matchedSecret).toEqual({ index: 0, label: 'current' });

    const tampered = await handler.fetch(request(url, headers, body.replace('in_1', 'in_2')));
    await expectRefusal(tampered, 401, 'ERR_WEBHOOK_SIGNATURE_MISMATCH');
    await expectRefusal(
      await handler.fetch(request(url, headers, body)),
      409,
      'ERR_WEBHOOK_REPLAYED',
    );

    const old = await createSigner({ secrets: previous }).sign({ body });
    expect((await handler.fetch(request(url, old, body))).status).toBe(204);
    expect(seen.at(-1)?.[1].matchedSecret).toEqual({ index: 1, label: 'previous' });
    expect(seen).toHaveLength(2);
  });

  it('answers 405 to other methods and 413 to a body over the limit', async () => {
    const get = await handler.fetch(new Request(url));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    const big = 'x'.repeat(300 * 1024);
    const headers = await createSigner({ secrets: current }).sign({ body: big });
    await expectRefusal(
      await handler.fetch(request(url, headers, big)),
      413,
      'ERR_WEBHOOK_BODY_TOO_LARGE',
    );
  });

  it('the default export reads its secret from Workers-style bindings', async () => {
    const body = JSON.stringify({ type: 'ping' });
    const bindings = { WEBHOOK_SECRET: reveal(current) };
    const headers = await createSigner({ secrets: current }).sign({ body });
    expect((await edge.fetch(request(url, headers, body), bindings)).status).toBe(204);
    const forged = await createSigner({ secrets: generateSecret() }).sign({ body });
    await expectRefusal(
      await edge.fetch(request(url, forged, body), bindings),
      401,
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
  });
});

describe('the same handler behind the Node adapter (node:http → Request → handler → Response)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = await serve(createHandler({ secrets }));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const post = (headers: Record<string, string>, body: string) =>
    fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });

  it('genuine 204, tampered 401, replay 409, old secret 204, too large 413', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_7' } });
    const headers = await createSigner({ secrets: current }).sign({ body });
    expect((await post(headers, body)).status).toBe(204);
    await expectRefusal(
      await post(headers, body.replace('in_7', 'in_8')),
      401,
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
    const replay = await post(headers, body);
    await expectRefusal(replay, 409, 'ERR_WEBHOOK_REPLAYED');
    expect(replay.headers.get('content-type')).toContain('application/json');

    const old = await createSigner({ secrets: previous }).sign({ body });
    expect((await post(old, body)).status).toBe(204);

    const big = 'y'.repeat(300 * 1024);
    const bigHeaders = await createSigner({ secrets: current }).sign({ body: big });
    await expectRefusal(await post(bigHeaders, big), 413, 'ERR_WEBHOOK_BODY_TOO_LARGE');
  });
});

it('src/node.ts runs as a program: the default export reads WEBHOOK_SECRET from process.env', async () => {
  const port = await freePort();
  const program = startProgram(
    new URL('../../examples/edge-verifier/', import.meta.url),
    'src/node.ts',
    {
      PORT: String(port),
      WEBHOOK_SECRET: reveal(current),
    },
  );
  try {
    await waitFor('edge verifier listening', async () =>
      program.output().includes('edge verifier on'),
    );
    expect(program.output()).not.toContain('note:');
    const url = `http://127.0.0.1:${port}/`;
    const body = JSON.stringify({ type: 'ping' });
    const headers = await createSigner({ secrets: current }).sign({ body });
    const send = (h: Record<string, string>) => fetch(url, { method: 'POST', headers: h, body });
    expect((await send(headers)).status).toBe(204);
    expect((await send(headers)).status).toBe(409);
    const forged = await createSigner({ secrets: generateSecret() }).sign({ body });
    await expectRefusal(await send(forged), 401, 'ERR_WEBHOOK_SIGNATURE_MISMATCH');
  } finally {
    await program.stop();
  }
});
