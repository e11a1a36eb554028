// The ~20-field webhook payload the benchmarks parse, and a larger document built of many of them.

/** A realistic `invoice.paid` webhook: 20 top-level and nested fields, about 1 KiB. */
export function webhookPayload(i = 0): Record<string, unknown> {
  return {
    id: `evt_1P${String(i).padStart(22, '0')}`,
    object: 'event',
    type: 'invoice.paid',
    api_version: '2024-06-20',
    created: 1_717_000_000 + i,
    livemode: false,
    pending_webhooks: 1,
    request: { id: 'req_7Hq2mN4bX9pLz1', idempotency_key: '8a7c2b1e-4d3f-4e5a-9b6c-0d1e2f3a4b5c' },
    data: {
      object: {
        id: 'in_1P0000000000000000000000',
        customer: 'cus_Q1w2E3r4T5y6U7',
        customer_email: 'ada@example.com',
        customer_name: 'Ada Lovelace',
        amount_due: 4200,
        amount_paid: 4200,
        currency: 'eur',
        status: 'paid',
        paid: true,
        attempt_count: 1,
        billing_reason: 'subscription_cycle',
        hosted_invoice_url: 'https://invoice.example.com/i/acct_1/test_YWNjdF8x',
        lines: [
          { id: 'il_1', amount: 4000, description: 'Pro plan × 1', quantity: 1 },
          { id: 'il_2', amount: 200, description: 'Tax', quantity: 1 },
        ],
        metadata: { order_id: 'ord_5521', region: 'eu-west-1' },
      },
    },
  };
}

/** A JSON array of `count` payloads (about `count` KiB). */
export function payloadArray(count: number): string {
  return JSON.stringify(Array.from({ length: count }, (_, i) => webhookPayload(i)));
}
