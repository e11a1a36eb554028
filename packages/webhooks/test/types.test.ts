// Type-level checks of the public API: checked by `tsc` (the repository's type check includes the
// tests) and run as no-ops by vitest.
import type { Redacted } from '@portcullis/core';
import {
  createSigner,
  createVerifier,
  type Diagnosis,
  explain,
  generateKeyPair,
  generateSecret,
  type MatchedSecret,
  type Scheme,
  schemes,
  type VerifiedWebhook,
  type WebhookErrorCode,
} from '@portcullis/webhooks';
import * as verifyOnly from '@portcullis/webhooks/verify';
import { describe, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('verify resolves a VerifiedWebhook; sign resolves a header record', () => {
    const verifier = createVerifier({
      secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      store: false,
    });
    expectTypeOf(verifier.verify).returns.resolves.toEqualTypeOf<VerifiedWebhook>();
    expectTypeOf<VerifiedWebhook['matchedSecret']>().toEqualTypeOf<MatchedSecret>();
    expectTypeOf<VerifiedWebhook['timestamp']>().toEqualTypeOf<number | undefined>();
    const signer = createSigner({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expectTypeOf(signer.sign).returns.resolves.toEqualTypeOf<Record<string, string>>();
    expectTypeOf(explain).returns.resolves.toEqualTypeOf<Diagnosis>();
  });

  it('secrets come back boxed; schemes are Scheme objects; codes are a closed union', () => {
    expectTypeOf(generateSecret).returns.toEqualTypeOf<Redacted<string>>();
    expectTypeOf(generateKeyPair)
      .returns.resolves.toHaveProperty('secretKey')
      .toEqualTypeOf<Redacted<string>>();
    expectTypeOf(schemes.stripe).toEqualTypeOf<Scheme>();
    expectTypeOf<'ERR_WEBHOOK_REPLAYED'>().toExtend<WebhookErrorCode>();
    expectTypeOf<'ERR_WEBHOOK_NOPE'>().not.toExtend<WebhookErrorCode>();
    expectTypeOf(verifyOnly.createVerifier).toEqualTypeOf(createVerifier);
  });

  it('options refuse what they do not take', () => {
    // @ts-expect-error: a body must be raw, not a parsed object
    void (() => createVerifier({ secrets: 'x' }).verify({ headers: {}, body: { a: 1 } }));
    // @ts-expect-error: crypto is 'auto' | 'node' | 'webcrypto'
    void (() => createVerifier({ secrets: 'x', crypto: 'wasm' }));
    // @ts-expect-error: secrets are required
    void (() => createSigner({}));
  });
});
