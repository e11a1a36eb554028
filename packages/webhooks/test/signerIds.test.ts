import type { Scheme } from '@portcullis/webhooks';
import { createSigner, createVerifier, defineHmacScheme, generateId } from '@portcullis/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, clockAt } from './helpers.ts';

/** Characters a template may put next to `{id}`: base64url ones (which generateId writes) and others. */
const SEPARATOR = fc.constantFrom(
  '_',
  '-',
  ':',
  '|',
  '/',
  '~',
  '.',
  'm',
  's',
  'g',
  'a',
  'f',
  'Z',
  '0',
  '9',
  'x_',
  '-v',
  '.-',
);

/** A template with `{id}` between two separators, in one of three layouts. */
const TEMPLATE = fc
  .tuple(SEPARATOR, SEPARATOR, fc.constantFrom(0, 1, 2))
  .map(([before, after, layout]) =>
    layout === 0
      ? `${before}{id}${after}T{timestamp}.{body}`
      : layout === 1
        ? `{timestamp}T${before}{id}${after}{body}`
        : `v1${before}{id}${after}{body}`,
  );

function acme(signedContent: string): Scheme {
  return defineHmacScheme({
    name: 'acme',
    signatureHeader: 'X-Acme-Signature',
    idHeader: 'X-Acme-Id',
    ...(signedContent.includes('{timestamp}') ? { timestampHeader: 'X-Acme-Timestamp' } : {}),
    signedContent,
  });
}

describe.each(BACKENDS)('default ids (%s)', (crypto) => {
  it('signing without an id never throws, and the message verifies', async () => {
    await fc.assert(
      fc.asyncProperty(TEMPLATE, fc.string({ maxLength: 64 }), async (template, body) => {
        const scheme = acme(template);
        const signer = createSigner({ scheme, secrets: 'acme-secret', crypto, clock: clockAt() });
        const verifier = createVerifier({
          scheme,
          secrets: 'acme-secret',
          crypto,
          clock: clockAt(),
          store: false,
        });
        for (let i = 0; i < 5; i++) {
          const headers = await signer.sign({ body });
          const id = headers['x-acme-id'] as string;
          expect(scheme.isValidId?.(id)).toBe(true);
          await expect(verifier.verify({ headers, body })).resolves.toMatchObject({ id });
        }
      }),
      { numRuns: 120 },
    );
  });

  it.each([
    ['{id}_{timestamp}.{body}', /^[0-9a-f]{32}$/],
    ['{timestamp}-{id}.{body}', /^msg_[0-9a-f]{32}$/],
    ['{timestamp}.{id}a{body}', /^msg_[0-9b-g]{32}$/],
    ['{timestamp}.{id}:{body}', /^msg_[A-Za-z0-9_-]{22}$/],
  ])('with %j, generated ids look like %s', async (template, shape) => {
    const signer = createSigner({ scheme: acme(template), secrets: 'k', crypto });
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = (await signer.sign({ body: 'x' }))['x-acme-id'] as string;
      expect(id).toMatch(shape);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
  });

  it('a hand-built scheme (a copy with its own id rule) is refused: schemes are opaque', () => {
    const base = acme('{id}.{body}');
    const strict = { ...base, isValidId: (id: string) => id.startsWith('order-') } as Scheme;
    expect(() => createSigner({ scheme: strict, secrets: 'k', crypto })).toThrow(TypeError);
    expect(() => createVerifier({ scheme: strict, secrets: 'k', crypto })).toThrow(TypeError);
  });

  it('the standard scheme keeps generateId() ids', async () => {
    const signer = createSigner({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', crypto });
    const id = (await signer.sign({ body: 'x' }))['webhook-id'] as string;
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(generateId()).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });
});
