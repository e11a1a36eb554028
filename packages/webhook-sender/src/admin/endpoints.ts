import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { WebhookSenderError } from '../errors/WebhookSenderError.ts';
import type { ResolvedOptions } from '../internal/options.ts';
import type { Statements } from '../internal/sql.ts';
import type { Endpoint, EndpointInput, Queryable } from '../options.ts';
import { checkSchedule } from '../schedule.ts';

const ENDPOINT_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

function checkUrl(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidArgument(path, 'an http(s) URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument(path, 'an http(s) URL', 'value');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw invalidArgument(path, 'an http(s) URL without credentials', 'value');
  }
  return url.href;
}

function time(value: unknown): number | undefined {
  return value instanceof Date ? value.getTime() : undefined;
}

/** An endpoint row as the public {@link Endpoint}. */
export function toEndpoint(r: Record<string, unknown>): Endpoint {
  const opt = <T>(v: unknown): T | undefined => (v === null ? undefined : (v as T));
  return Object.freeze({
    id: r.id as string,
    url: r.url as string,
    secretRef: r.secret_ref as string,
    eventTypes: opt<string[]>(r.event_types),
    schedule: opt<number[]>(r.schedule_ms),
    ratePerSec: opt<number>(r.rate_per_sec),
    maxConcurrency: opt<number>(r.max_concurrency),
    disabledAt: time(r.disabled_at),
    disabledReason: opt<string>(r.disabled_reason),
    failingSince: time(r.failing_since),
    lastSuccessAt: time(r.last_success_at),
  });
}

/** Stores a new endpoint (on `client`, or the sender's pool). */
export async function addEndpoint(
  o: ResolvedOptions,
  sql: Statements,
  input: EndpointInput,
  client: Queryable = o.pool,
): Promise<Endpoint> {
  const e = resolveOptions<EndpointInput, Record<string, never>>(
    'endpoint',
    input,
    {},
    {
      id: rules.optional(
        rules.custom((v, path) => {
          const id = rules.string()(v, path);
          if (!ENDPOINT_ID.test(id))
            throw invalidArgument(path, '1–200 of [A-Za-z0-9_.:-]', 'value');
          return id;
        }),
      ),
      url: rules.custom(checkUrl),
      secretRef: rules.string(),
      eventTypes: rules.optional(
        rules.custom((v, path) => {
          if (!Array.isArray(v) || v.some((t) => typeof t !== 'string' || t.length === 0))
            throw invalidArgument(path, 'an array of event types');
          return v as string[];
        }),
      ),
      schedule: rules.optional(rules.custom(checkSchedule)),
      ratePerSec: rules.optional(rules.number({ min: 0, max: 1_000_000 })),
      maxConcurrency: rules.optional(rules.integer({ max: 1024 })),
    },
  );
  const id = e.id ?? `ep_${crypto.randomUUID().replaceAll('-', '')}`;
  const { rows } = await client.query(`${sql.insertEndpoint} RETURNING *`, [
    id,
    e.url,
    e.secretRef,
    e.eventTypes ?? null,
    e.schedule ?? null,
    e.ratePerSec ?? null,
    e.maxConcurrency ?? null,
    new Date(o.clock.now()),
  ]);
  return toEndpoint(rows[0] as Record<string, unknown>);
}

/** Reads an endpoint; `ERR_SENDER_NOT_FOUND` when there is none. */
export async function getEndpoint(
  o: ResolvedOptions,
  sql: Statements,
  id: string,
): Promise<Endpoint> {
  if (typeof id !== 'string') throw invalidArgument('endpointId', 'a string');
  const { rows } = await o.pool.query(sql.getEndpoint, [id]);
  if (rows[0] === undefined)
    throw new WebhookSenderError('ERR_SENDER_NOT_FOUND', 'No such endpoint.');
  return toEndpoint(rows[0]);
}
