// POST /api/orders: the partner API in full, in the order a request meets the checks:
//   1. rate limit per client address (app.ts, before anything else: key guessing is bounded too)
//   2. API key (`Authorization: Bearer pc_…` or `X-API-Key`), scope `orders:write` — before the
//      body is read, so an unauthenticated caller costs no upload
//   3. rate limit per API key (the partner's quota), RateLimit headers for that key
//   4. the body through a boundary: size and depth limits, no `__proto__`, then the zod schema;
//      refusals are 400/422 problem details naming the field, never echoing the value
//   5. an audit entry for every answer (who, what, outcome, reason code — never the body)
import type { ApiKeys, VerifiedKey } from '@portcullis/apikeys';
import type { AuditLog } from '@portcullis/audit';
import { defineBoundary } from '@portcullis/boundary';
import { isPortcullisError } from '@portcullis/core';
import type { RateLimiter } from '@portcullis/ratelimit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** What the orders API needs. */
export interface OrdersOptions {
  /** Verifies partners' API keys (see @portcullis/apikeys). */
  apiKeys: ApiKeys;
  /** Where every answer is recorded. */
  audit: AuditLog;
  /** The per-key quota. Default: 20 orders per minute per API key. */
  keyLimiter: RateLimiter;
}

/** The partner's order, as it arrives. */
const NewOrder = defineBoundary({
  schema: z.strictObject({
    sku: z.string().regex(/^[A-Z0-9-]{1,32}$/),
    quantity: z.number().int().min(1).max(100),
    note: z.string().max(200).optional(),
  }),
  transform: (order) => ({ sku: order.sku, quantity: order.quantity, note: order.note ?? '' }),
});

const callers = new WeakMap<FastifyRequest, VerifiedKey>();
const refusals = new WeakMap<FastifyRequest, string>();

function presentedKey(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7);
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : '';
}

function outcomeOf(status: number): 'success' | 'denied' | 'failure' {
  if (status < 400) return 'success';
  return status === 401 || status === 403 || status === 429 ? 'denied' : 'failure';
}

/** Registers `POST /api/orders` on `app`. */
export function registerOrders(app: FastifyInstance, options: OrdersOptions): void {
  const { apiKeys, audit, keyLimiter } = options;
  let nextOrder = 1;
  app.post('/api/orders', {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      const caller = await apiKeys.verify(presentedKey(request), ['orders:write']);
      callers.set(request, caller);
      const decision = await keyLimiter.enforce(`key:${caller.id}`);
      reply.headers(decision.headers);
    },
    onError: async (request: FastifyRequest, _reply: FastifyReply, error: Error) => {
      refusals.set(request, isPortcullisError(error) ? error.code : 'ERR_INTERNAL');
    },
    onResponse: async (request: FastifyRequest, reply: FastifyReply) => {
      const status = reply.statusCode;
      const reason = refusals.get(request);
      audit.record({
        actor: callers.get(request)?.id ?? 'anonymous',
        action: 'orders.create',
        category: 'commerce.order',
        source: 'partner-api',
        target: 'orders',
        outcome: outcomeOf(status),
        requestId: request.id,
        ...(status < 400 ? { count: 1 } : {}),
        ...(reason === undefined ? {} : { reason }),
        attributes: { status },
      });
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const order = NewOrder.parseJson(body); // throws BoundaryError → problem details
      const caller = callers.get(request);
      return reply.code(201).send({
        orderId: `ord_${nextOrder++}`,
        owner: caller?.owner,
        sku: order.sku,
        quantity: order.quantity,
      });
    },
  });
}
