// Demo scene for the inbound side: a partner API on 127.0.0.1 (API keys, a boundary on every
// input, a hash-chained audit trail) called by a partner client. Unknown, mistyped, revoked and
// under-scoped keys are refused; SQL-injection payloads are refused before any query; an XSS
// payload is stored as text and shown encoded; an audit trail edited afterwards is caught.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeys, MemoryKeyRepository } from '@portcullis/apikeys';
import { createAuditLog, JsonlSink, verifyAuditChain } from '@portcullis/audit';
import { defineBoundary, sanitize, toProblemDetails } from '@portcullis/boundary';
import { isPortcullisError, reveal } from '@portcullis/core';
import { z } from 'zod';
import { serve } from '../peers/http.ts';
import type { Scene } from '../scene.ts';

const NewOrder = defineBoundary({
  schema: z.object({
    sku: z.string().regex(/^[A-Z0-9-]{1,32}$/),
    quantity: z.number().int().min(1).max(1000),
    customer: z.object({ name: z.string().min(1).max(120) }),
  }),
  transform: (o) => ({ ...o, customer: { name: sanitize.text(o.customer.name) } }),
});

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `"401 ERR_…"`: a refusal as the partner saw it. */
async function describe(response: Response): Promise<string> {
  const body = (await response.json()) as { code?: string };
  return `${response.status} ${body.code ?? ''}`.trim();
}

export const inboundScene: Scene = {
  name: 'inbound',
  title: '@portcullis/apikeys + boundary + audit: a partner API and its audit trail',
  async run({ say, record }) {
    const keys = createApiKeys({
      prefix: 'pc_demo',
      pepper: 'demo-pepper-from-the-secrets-manager-32b',
      repository: new MemoryKeyRepository(),
    });
    const directory = mkdtempSync(join(tmpdir(), 'portcullis-demo-audit-'));
    const auditKey = 'demo-audit-key-from-the-secrets-manager!';
    const audit = createAuditLog({ sink: new JsonlSink({ directory }), key: auditKey });
    const orders: { sku: string; quantity: number; customer: { name: string } }[] = [];

    const api = await serve(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://partner-api');
      let actor = 'anonymous';
      const write = req.method === 'POST';
      try {
        const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const caller = await keys.verify(presented, [write ? 'orders:write' : 'orders:read']);
        actor = caller.id;
        if (url.pathname === '/orders' && write) {
          const order = NewOrder.parseJson(await readBody(req));
          orders.push(order);
          audit.record({
            actor,
            action: 'orders.create',
            target: 'orders',
            count: 1,
            outcome: 'success',
          });
          res.writeHead(201, { 'content-type': 'application/json' }).end(`{"id":${orders.length}}`);
        } else if (url.pathname === '/orders') {
          // A sort column cannot be a bound parameter: it is checked as an identifier instead.
          const sort = sanitize.identifier(url.searchParams.get('sort') ?? 'created_at');
          audit.record({
            actor,
            action: 'orders.list',
            target: 'orders',
            count: orders.length,
            outcome: 'success',
          });
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ sort, orders }));
        } else res.writeHead(404).end('{}');
      } catch (error) {
        const status = isPortcullisError(error) ? (error.status ?? 400) : 500;
        const code = isPortcullisError(error) ? error.code : 'ERR_INTERNAL';
        audit.record({
          actor,
          action: write ? 'orders.create' : 'orders.list',
          outcome: status === 500 ? 'failure' : 'denied',
        });
        const body =
          isPortcullisError(error) && code.startsWith('ERR_BOUNDARY')
            ? toProblemDetails(error)
            : { code };
        res
          .writeHead(status, { 'content-type': 'application/problem+json' })
          .end(JSON.stringify(body));
      }
    });
    try {
      const issued = await keys.issue({
        owner: 'acme',
        name: 'orders sync',
        scopes: ['orders:read', 'orders:write'],
      });
      const key = reveal(issued.key);
      const readOnly = await keys.issue({
        owner: 'acme',
        name: 'reporting',
        scopes: ['orders:read'],
      });
      say(
        `partner API at ${api.url}; key ${key.slice(0, 12)}… issued to acme (stored: id + HMAC only)`,
      );
      const call = (k: string, path: string, body?: unknown) =>
        fetch(`${api.url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const genuine = await call(key, '/orders', {
        sku: 'SKU-1042',
        quantity: 2,
        customer: { name: 'Ada' },
      });
      await genuine.body?.cancel();
      say(`a genuine order from acme → ${genuine.status}`);

      const stranger = createApiKeys({
        prefix: 'pc_demo',
        pepper: 'another-pepper-of-at-least-32-bytes!!',
        repository: new MemoryKeyRepository(),
      });
      const unknown = await describe(
        await call(reveal((await stranger.issue({ owner: 'x' })).key), '/orders'),
      );
      record({
        scenario: 'unknown API key',
        happened: `a well-formed key we never issued → ${unknown}`,
        stoppedBy: '@portcullis/apikeys',
        held: unknown.startsWith('401'),
      });
      const typo = `${key.slice(0, 20)}${key[20] === 'x' ? 'y' : 'x'}${key.slice(21)}`;
      const mistyped = await describe(await call(typo, '/orders'));
      record({
        scenario: 'API key with one character changed',
        happened: `a genuine key with one character changed → ${mistyped}`,
        stoppedBy: '@portcullis/apikeys',
        held: mistyped.startsWith('401'),
      });
      const scoped = await describe(
        await call(reveal(readOnly.key), '/orders', {
          sku: 'SKU-1',
          quantity: 1,
          customer: { name: 'x' },
        }),
      );
      record({
        scenario: 'API key used beyond its scopes',
        happened: `a read-only key places an order → ${scoped}`,
        stoppedBy: '@portcullis/apikeys',
        held: scoped.startsWith('403'),
      });

      const sqlBody = await describe(
        await call(key, '/orders', {
          sku: "SKU-1'; DROP TABLE orders;--",
          quantity: 1,
          customer: { name: 'Eve' },
        }),
      );
      record({
        scenario: "SQL injection in a partner's request body",
        happened: `sku "SKU-1'; DROP TABLE orders;--" → ${sqlBody} (before any query)`,
        stoppedBy: '@portcullis/boundary schema',
        held: sqlBody === '422 ERR_BOUNDARY_SCHEMA_MISMATCH',
      });
      const sqlSort = await describe(
        await call(key, `/orders?sort=${encodeURIComponent('created_at; DROP TABLE orders--')}`),
      );
      record({
        scenario: "SQL injection in a partner's sort column",
        happened: `?sort=created_at; DROP TABLE orders-- → ${sqlSort}`,
        stoppedBy: '@portcullis/boundary sanitize.identifier',
        held: sqlSort === '422 ERR_BOUNDARY_INVALID_IDENTIFIER',
      });
      const xss = '<img src=x onerror=alert(document.cookie)>';
      const stored = await call(key, '/orders', {
        sku: 'SKU-7',
        quantity: 1,
        customer: { name: xss },
      });
      await stored.body?.cancel();
      const shown = `<td>${sanitize.html(orders.at(-1)?.customer.name ?? '')}</td>`;
      say(`the back office shows that customer as ${shown}`);
      record({
        scenario: "XSS in a partner's request",
        happened: `stored as text (${stored.status}), rendered encoded: ${shown.slice(0, 30)}…`,
        stoppedBy: '@portcullis/boundary sanitize.html',
        held: stored.status === 201 && !shown.includes('<img'),
      });

      await keys.revoke(issued.id);
      const revoked = await describe(await call(key, '/orders'));
      record({
        scenario: 'revoked API key',
        happened: `acme's key revoked after a leak, then used → ${revoked}`,
        stoppedBy: '@portcullis/apikeys',
        held: revoked.startsWith('401'),
      });

      let secretRefused = false;
      try {
        audit.record({
          actor: issued.id,
          action: 'debug',
          outcome: 'success',
          attributes: { note: `Bearer ${key}` },
        });
      } catch {
        secretRefused = true;
      }
      record({
        scenario: 'a bearer token written to the audit trail',
        happened: secretRefused ? 'entry refused: secrets never reach the trail' : 'written',
        stoppedBy: '@portcullis/audit',
        held: secretRefused,
      });

      await audit.close();
      const clean = await verifyAuditChain(JsonlSink.readLines(directory), { key: auditKey });
      say(`audit trail of ${clean.entries} entries verified: ${clean.ok}`);
      const file = join(directory, readdirSync(directory)[0] as string);
      const lines = readFileSync(file, 'utf8').split('\n');
      const target = lines.findIndex((l) => l.includes('"orders.create"'));
      lines[target] = (lines[target] ?? '').replace('"outcome":"success"', '"outcome":"denied"');
      writeFileSync(file, lines.join('\n'));
      const edited = await verifyAuditChain(JsonlSink.readLines(directory), { key: auditKey });
      record({
        scenario: 'audit log edited after the fact',
        happened: edited.ok
          ? 'the edit went unnoticed'
          : `entry on line ${target + 1} changed → caught: ${edited.problem} at line ${edited.at.line}`,
        stoppedBy: '@portcullis/audit verifyAuditChain',
        held: clean.ok && !edited.ok,
      });
    } finally {
      await api.close();
      await audit.close().catch(() => {});
      rmSync(directory, { recursive: true, force: true });
    }
  },
};
