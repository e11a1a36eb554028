// Shared by the webhook-sender tests: one throwaway PostgreSQL per test file, a fresh schema per
// test, a scripted loopback receiver (node:http) that records every request, and an egress fetch
// that may reach 127.0.0.1 (the only exemption: every other private address stays refused).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@portcullis/core';
import { createSecureFetch, type SecureFetch } from '@portcullis/egress';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import {
  createWebhookSender,
  type WebhookSender,
  type WebhookSenderOptions,
} from '@portcullis/webhook-sender';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type PostgresPeer, startPostgres } from '../harness/postgres.ts';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const START = Date.parse('2026-12-01T00:00:00Z');

export interface Received {
  headers: Record<string, string>;
  body: string;
}

/** What the receiver answers to the nth request (from 0), or a promise of it. */
export type Script = (
  n: number,
  request: Received,
) =>
  | { status: number; headers?: Record<string, string> }
  | Promise<{ status: number; headers?: Record<string, string> }>;

export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  script: Script;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/** A loopback receiver answering by `script` (default: 204 to everything). */
export async function startReceiver(script: Script = () => ({ status: 204 })): Promise<Receiver> {
  const requests: Received[] = [];
  const receiver = {
    url: '',
    requests,
    script,
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const request = { headers: req.headers as Record<string, string>, body: await readBody(req) };
    const n = requests.length;
    requests.push(request);
    try {
      const answer = await receiver.script(n, request);
      res.writeHead(answer.status, answer.headers).end('ok');
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Egress for tests: loopback http allowed (127.0.0.1 exempted), redirects refused. */
export function loopbackFetch(): SecureFetch {
  return createSecureFetch({
    allowHosts: ['127.0.0.1:*'],
    allowAddresses: ['127.0.0.1'],
    allowLoopbackHttp: true,
    maxRedirects: 0,
  });
}

/** The test file's throwaway PostgreSQL: started before its tests, stopped after them. */
export interface TestDatabase {
  /** A pool on it (8 connections). */
  readonly pool: pg.Pool;
  readonly url: string;
}

/**
 * Starts a throwaway PostgreSQL in `beforeAll` (then runs `setup` on its pool) and stops it in
 * `afterAll`. Read the returned object's fields inside tests, once `beforeAll` has run.
 */
export function usePostgres(setup?: (pool: pg.Pool) => Promise<unknown>): TestDatabase {
  let postgres: PostgresPeer | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    postgres = await startPostgres();
    pool = newPool(postgres.url);
    await setup?.(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });
  return {
    get pool() {
      if (pool === undefined) throw new Error('usePostgres: read the pool inside a test');
      return pool;
    },
    get url() {
      if (postgres === undefined) throw new Error('usePostgres: read the url inside a test');
      return postgres.url;
    },
  };
}

export function newPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => {});
  return pool;
}

let schemas = 0;

export interface Fixture {
  sender: WebhookSender;
  clock: ManualClock;
  schema: string;
  fetch: SecureFetch;
  close(): Promise<void>;
}

/** A sender on a fresh schema, a ManualClock at {@link START}, jitter fixed at the middle. */
export async function makeSender(
  pool: pg.Pool,
  overrides: Partial<WebhookSenderOptions> = {},
  startMs = START,
): Promise<Fixture> {
  const clock = new ManualClock(startMs);
  const schema = `ws_${process.pid}_${++schemas}`;
  const fetch = loopbackFetch();
  // The secrets cache keeps the real clock: its freshness is not under test here, and its refresh
  // timers would fire mid-jump on a ManualClock advanced by hours.
  const secrets = createSecretsCache(new MemoryProvider({ secrets: { hook: SECRET } }));
  const sender = createWebhookSender({
    pool,
    secrets,
    schema,
    fetch,
    clock,
    random: () => 0.5,
    ...overrides,
  });
  await sender.migrate();
  return {
    sender,
    clock,
    schema,
    fetch,
    async close() {
      await sender.stop();
      await fetch.close();
      await secrets.close();
    },
  };
}

/** Runs `work` inside BEGIN … COMMIT (or ROLLBACK when it throws or `rollback` is set). */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  rollback = false,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
