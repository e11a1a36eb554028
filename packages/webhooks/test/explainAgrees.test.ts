// explain() must name the check verify() stops at and the code it rejects with: it runs the
// verifier's own checks, in the verifier's order, with the verifier's limits.
import {
  createSigner,
  createVerifier,
  explain,
  isWebhookError,
  type VerifierOptions,
} from '@portcullis/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockAt, NOW_SEC, SECRET } from './helpers.ts';

const body = '{"type":"ping","data":{"id":"evt_1"}}';

/** What verify() does with the message: undefined when it verifies, else its error code. */
async function verifyCode(
  options: Omit<VerifierOptions, 'store'>,
  headers: Record<string, string>,
  raw: unknown,
): Promise<string | undefined> {
  try {
    await createVerifier({ ...options, store: false }).verify({ headers, body: raw as string });
    return undefined;
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return error.code;
  }
}

async function signed(timestamp = NOW_SEC, text = body): Promise<Record<string, string>> {
  return createSigner({ secrets: SECRET }).sign({ id: 'msg_1', timestamp, body: text });
}

describe('explain() agrees with verify()', () => {
  it('a header with 9 signatures: both say ERR_WEBHOOK_HEADER_MALFORMED (limit 8)', async () => {
    const clock = clockAt();
    const headers = await signed();
    const junk = Array.from({ length: 8 }, (_, i) => `v1,${'A'.repeat(42)}${i % 10}=`).join(' ');
    headers['webhook-signature'] = `${junk} ${headers['webhook-signature']}`;
    expect(await verifyCode({ secrets: SECRET, clock }, headers, body)).toBe(
      'ERR_WEBHOOK_HEADER_MALFORMED',
    );
    const diagnosis = await explain({ secrets: SECRET, headers, body, clock });
    expect(diagnosis).toMatchObject({
      ok: false,
      failedCheck: 'headers',
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
    });
  });

  it('a signature header padded past 4096 characters: both say malformed', async () => {
    const clock = clockAt();
    const headers = await signed();
    headers['webhook-signature'] = `${headers['webhook-signature']}${' '.repeat(4100)}`;
    expect(await verifyCode({ secrets: SECRET, clock }, headers, body)).toBe(
      'ERR_WEBHOOK_HEADER_MALFORMED',
    );
    const diagnosis = await explain({ secrets: SECRET, headers, body, clock });
    expect(diagnosis.code).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    expect(diagnosis.failedCheck).toBe('headers');
  });

  it('skew is not rounded: 300.4 s old is out of range for both, and reported as 300.4', async () => {
    const clock = clockAt();
    clock.set(NOW_SEC * 1000 + 300_400);
    const headers = await signed();
    expect(await verifyCode({ secrets: SECRET, clock }, headers, body)).toBe(
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
    );
    const diagnosis = await explain({ secrets: SECRET, headers, body, clock });
    expect(diagnosis).toMatchObject({
      ok: false,
      failedCheck: 'timestamp',
      code: 'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      skewSec: 300.4,
    });
  });

  it('a parsed body is ERR_WEBHOOK_BODY_NOT_RAW, not a signature mismatch, with the documented Express fix', async () => {
    const clock = clockAt();
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const headers = await signed(NOW_SEC, pretty);
    const parsed = JSON.parse(pretty);
    expect(await verifyCode({ secrets: SECRET, clock }, headers, parsed)).toBe(
      'ERR_WEBHOOK_BODY_NOT_RAW',
    );
    const diagnosis = await explain({ secrets: SECRET, headers, body: parsed, clock });
    expect(diagnosis).toMatchObject({ failedCheck: 'body', code: 'ERR_WEBHOOK_BODY_NOT_RAW' });
    expect(diagnosis.likelyCauses.join(' ')).toContain('express.raw({ type: () => true })');
  });

  it('a body holding a BigInt, or a cycle, is a typed diagnosis, not a TypeError', async () => {
    const clock = clockAt();
    const headers = await signed();
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    for (const odd of [{ n: 1n }, circular, 1n]) {
      const diagnosis = await explain({ secrets: SECRET, headers, body: odd, clock });
      expect(diagnosis).toMatchObject({ ok: false, code: 'ERR_WEBHOOK_BODY_NOT_RAW' });
      expect(await verifyCode({ secrets: SECRET, clock }, headers, odd)).toBe(
        'ERR_WEBHOOK_BODY_NOT_RAW',
      );
    }
  });

  it('takes the verifier limits: maxSignatures and maxHeaderLength are the same options', async () => {
    const clock = clockAt();
    const headers = await signed();
    const diagnosis = await explain({ secrets: SECRET, headers, body, clock, maxHeaderLength: 10 });
    expect(diagnosis.code).toBe(
      await verifyCode({ secrets: SECRET, clock, maxHeaderLength: 10 }, headers, body),
    );
    expect(diagnosis.code).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    await expect(
      explain({ secrets: SECRET, headers, body, clock, toleranceSecs: 5 } as never),
    ).rejects.toThrow(/toleranceSec/);
  });

  it('property: for any mutation of a signed message, explain gives the code verify rejects with', async () => {
    const headers = await signed();
    const clock = clockAt();
    const mutation = fc.record({
      skewMs: fc.integer({ min: -400_000, max: 400_000 }),
      dropHeader: fc.option(
        fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature'),
      ),
      extraSignatures: fc.integer({ min: 0, max: 10 }),
      padding: fc.integer({ min: 0, max: 5000 }),
      bodyKind: fc.constantFrom('raw', 'changed', 'parsed', 'bigint'),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        clock.set(NOW_SEC * 1000 + m.skewMs);
        const h: Record<string, string> = { ...headers };
        if (m.dropHeader !== null) delete h[m.dropHeader];
        if (h['webhook-signature'] !== undefined) {
          const extra = Array.from({ length: m.extraSignatures }, () => `v1,${'B'.repeat(43)}=`);
          h['webhook-signature'] =
            [...extra, h['webhook-signature']].join(' ') + ' '.repeat(m.padding);
        }
        const b =
          m.bodyKind === 'raw'
            ? body
            : m.bodyKind === 'changed'
              ? `${body} `
              : m.bodyKind === 'parsed'
                ? JSON.parse(body)
                : { n: 1n };
        const expected = await verifyCode({ secrets: SECRET, clock }, h, b);
        const diagnosis = await explain({ secrets: SECRET, headers: h, body: b, clock });
        expect(diagnosis.code).toBe(expected);
        expect(diagnosis.ok).toBe(expected === undefined);
      }),
      { numRuns: 150 },
    );
  });
});
