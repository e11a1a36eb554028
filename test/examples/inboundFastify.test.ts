// examples/inbound-fastify over real HTTP: the shared inbound cases, then the partner API
// (POST /api/orders) in full — API key and scope, per-key quota, the zod boundary with problem
// details, the audit trail — and the server started as a program, the way `pnpm start` runs it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiKeys, createApiKeys, MemoryKeyRepository } from '@portcullis/apikeys';
import { type AuditLog, createAuditLog, JsonlSink, verifyAuditChain } from '@portcullis/audit';
import { reveal } from '@portcullis/core';
import { createRateLimiter } from '@portcullis/ratelimit';
import { generateSecret } from '@portcullis/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/inbound-fastify/src/app.ts';
import { freePort, waitFor } from '../harness/ports.ts';
import { startProgram } from '../harness/worker.ts';
import { inboundSuite } from './inboundCases.ts';

inboundSuite('fastify', async (options) => {
  const app = createApp(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
});

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const text = await response.text();
  const json = JSON.parse(text) as Record<string, unknown>;
  expect(json).toMatchObject({ type: 'about:blank', status, code });
  expect(text).not.toMatch(/stack|at .*\.ts|pc_test_/);
  return json;
}

describe('examples/inbound-fastify: the partner API (POST /api/orders)', () => {
  const key = randomBytes(32).toString('base64url');
  let dir: string;
  let apiKeys: ApiKeys;
  let audit: AuditLog;
  let app: ReturnType<typeof createApp>;
  let url: string;
  let writer: string; // a key with orders:write
  let reader: string; // a key without it
  const order = (apiKey: string | undefined, body: string, header = 'authorization') =>
    fetch(`${url}/api/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey === undefined
          ? {}
          : { [header]: header === 'authorization' ? `Bearer ${apiKey}` : apiKey }),
      },
      body,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-inbound-audit-'));
    apiKeys = createApiKeys({
      prefix: 'pc_test',
      pepper: randomBytes(32).toString('base64url'),
      repository: new MemoryKeyRepository(),
    });
    audit = createAuditLog({ sink: new JsonlSink({ directory: dir }), key });
    app = createApp({
      webhookSecrets: generateSecret(),
      webhookSources: ['127.0.0.1/32'],
      limiter: createRateLimiter({ limit: 100, windowMs: 60_000 }),
      orders: { apiKeys, audit, keyLimiter: createRateLimiter({ limit: 3, windowMs: 60_000 }) },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    writer = reveal((await apiKeys.issue({ owner: 'acme', scopes: ['orders:write'] })).key);
    reader = reveal((await apiKeys.issue({ owner: 'globex', scopes: ['orders:read'] })).key);
  });
  afterAll(async () => {
    await app?.close();
    await audit?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a valid key and body: 201, the RateLimit headers of that key', async () => {
    const response = await order(writer, '{"sku":"A-1","quantity":2,"note":"leave at door"}');
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      orderId: 'ord_1',
      owner: 'acme',
      sku: 'A-1',
      quantity: 2,
    });
    expect(response.headers.get('ratelimit')).toMatch(/^"default";r=2;t=\d+$/);
    const viaHeader = await order(writer, '{"sku":"B-2","quantity":1}', 'x-api-key');
    expect(viaHeader.status).toBe(201);
  });

  it('no key, a forged key, a revoked key: 401; a key without the scope: 403 — before the body is read', async () => {
    await expectProblem(await order(undefined, '{}'), 401, 'ERR_APIKEY_INVALID');
    const forged = `pc_test_${'A'.repeat(54)}`;
    await expectProblem(await order(forged, '{}'), 401, 'ERR_APIKEY_INVALID');
    const issued = await apiKeys.issue({ owner: 'initech', scopes: ['orders:write'] });
    await apiKeys.revoke(issued.id);
    await expectProblem(
      await order(reveal(issued.key), '{"sku":"A-1","quantity":1}'),
      401,
      'ERR_APIKEY_INVALID',
    );
    await expectProblem(
      await order(reader, '{"sku":"A-1","quantity":1}'),
      403,
      'ERR_APIKEY_SCOPE_MISSING',
    );
    // 1 MiB (over the 256 KiB body limit) without a key: refused as unauthenticated, not as too large.
    await expectProblem(await order(undefined, 'x'.repeat(1024 * 1024)), 401, 'ERR_APIKEY_INVALID');
  });

  it('the boundary: schema mismatch 422 naming the field, hostile JSON 400, never echoing the value', async () => {
    const other = reveal((await apiKeys.issue({ owner: 'hooli', scopes: ['orders:write'] })).key);
    const mismatch = await expectProblem(
      await order(other, '{"sku":"<script>alert(1)</script>","quantity":0}'),
      422,
      'ERR_BOUNDARY_SCHEMA_MISMATCH',
    );
    expect((mismatch.issues as { path: string[] }[]).map((i) => i.path)).toEqual([
      ['sku'],
      ['quantity'],
    ]);
    expect(JSON.stringify(mismatch)).not.toContain('script');
    await expectProblem(
      await order(other, '{"sku":"A-1","quantity":1,"__proto__":{"admin":true}}'),
      400,
      'ERR_BOUNDARY_FORBIDDEN_KEY',
    );
    await expectProblem(await order(other, '{"sku":"A-1",'), 400, 'ERR_BOUNDARY_MALFORMED_JSON');
  });

  it('the per-key quota: the fourth order of a key is 429 with Retry-After; another key is not affected', async () => {
    const quota = reveal(
      (await apiKeys.issue({ owner: 'umbrella', scopes: ['orders:write'] })).key,
    );
    const body = '{"sku":"Q-1","quantity":1}';
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await order(quota, body)).status);
    expect(statuses).toEqual([201, 201, 201]);
    const refused = await order(quota, body);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectProblem(refused, 429, 'ERR_RATE_LIMITED');
    const fresh = reveal(
      (await apiKeys.issue({ owner: 'umbrella', scopes: ['orders:write'] })).key,
    );
    expect((await order(fresh, body)).status).toBe(201);
  });

  it('the audit trail: one chained entry per answer, outcome and reason code, never a key or a body', async () => {
    await audit.flush();
    const result = await verifyAuditChain(JsonlSink.readLines(dir), { key });
    expect(result.ok).toBe(true);
    const trail = readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    const entries = trail
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(result.entries).toBe(entries.length);
    const summary = entries.map((e) => `${e.outcome}:${e.reason ?? ''}`);
    expect(summary.slice(0, 2)).toEqual(['success:', 'success:']);
    expect(summary).toContain('denied:ERR_APIKEY_INVALID');
    expect(summary).toContain('denied:ERR_APIKEY_SCOPE_MISSING');
    expect(summary).toContain('failure:ERR_BOUNDARY_SCHEMA_MISMATCH');
    expect(summary).toContain('denied:ERR_RATE_LIMITED');
    expect(entries.every((e) => e.action === 'orders.create')).toBe(true);
    expect(entries[0]).toMatchObject({
      actor: expect.stringMatching(/^[0-9A-Za-z]{16}$/),
      count: 1,
    });
    expect(trail).not.toContain(writer);
    expect(trail).not.toMatch(/pc_test_|leave at door|script|A-1/);
  });
});

describe('examples/inbound-fastify as a program (pnpm start)', () => {
  it('starts, prints a demo key once, takes an order with it, and writes the audit trail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-inbound-program-'));
    const port = await freePort();
    const program = startProgram(
      new URL('../../examples/inbound-fastify/', import.meta.url),
      'src/server.ts',
      {
        PORT: String(port),
        AUDIT_DIR: dir,
      },
    );
    try {
      const demoKey = await waitFor(
        'the demo key',
        async () => /shown once: (pc_demo_\w+)/.exec(program.output())?.[1],
        {
          timeoutMs: 20_000,
        },
      );
      const response = await fetch(`http://127.0.0.1:${port}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${demoKey}`, 'content-type': 'application/json' },
        body: '{"sku":"D-1","quantity":3}',
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({
        owner: 'demo-partner',
        sku: 'D-1',
        quantity: 3,
      });
    } finally {
      await program.stop();
    }
    const trail = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    rmSync(dir, { recursive: true, force: true });
    expect(trail).toMatch(/"action":"orders\.create"/);
    expect(trail).toMatch(/"outcome":"success"/);
  });
});
