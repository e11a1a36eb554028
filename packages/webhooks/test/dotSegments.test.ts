// Twilio signs the URL it called. The framework routes on the raw request target, but URL
// parsing resolves dot segments: a delivery signed for /sms-inbound, posted to
// /voice/../sms-inbound, is routed to /voice/* and would verify there. One auth token covers the
// whole account, so a path whose dot segments (plain or percent-encoded) change it is refused.
import { Readable } from 'node:stream';
import { createSigner, createVerifier, readIncomingMessage, schemes } from '@portcullis/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejection } from './helpers.ts';

const origin = 'https://hooks.example.com';
const token = 'twilio-auth-token';
const form = 'Body=hi&From=%2B15550001';

function incoming(url: string, headers: Record<string, string>) {
  return Object.assign(Readable.from([Buffer.from(form)]), { headers, url });
}

describe('readIncomingMessage with publicOrigin and dot segments', () => {
  const targets = [
    '/voice/../sms-inbound',
    '/voice/%2e%2e/sms-inbound',
    '/voice/%2E%2E/sms-inbound',
    '/voice/.%2e/sms-inbound',
    '/voice/%2e./sms-inbound',
    '/voice/./../sms-inbound',
    '/./sms-inbound',
    '/sms-inbound/.',
    '/voice/..',
    '/voice/..?x=1',
  ];
  for (const target of targets) {
    it(`refuses ${target}`, async () => {
      const headers = await createSigner({ scheme: schemes.twilio, secrets: token }).sign({
        body: form,
        url: `${origin}/sms-inbound`,
      });
      const error = await rejection(
        readIncomingMessage(incoming(target, headers), { publicOrigin: origin }).then((input) =>
          createVerifier({ scheme: schemes.twilio, secrets: token, store: false }).verify(input),
        ),
      );
      expect(error).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED', header: ':path' });
    });
  }

  it('keeps paths whose dots are not whole segments', async () => {
    for (const target of ['/sms.inbound', '/a/...', '/a/..b', '/a/%2e%2eb', '/a?next=../x']) {
      const input = await readIncomingMessage(incoming(target, {}), { publicOrigin: origin });
      expect(input.url).toBe(new URL(target, origin).href);
    }
  });

  it('property: a path is refused exactly when it has a dot segment, and an accepted one is not rewritten', async () => {
    const segment = fc.oneof(
      fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2e', 'a', 'a.b', '...', '%2e%2eb', '', 'x%2F'),
      fc.stringMatching(/^[A-Za-z0-9._~-]{0,6}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        // A first segment that is empty would make `//host`, refused for another reason.
        fc.array(segment, { minLength: 1, maxLength: 6 }).filter((list) => list[0] !== ''),
        async (segments) => {
          const target = `/${segments.join('/')}`;
          const dotted = segments.some((x) => /^(?:\.|%2e){1,2}$/i.test(x));
          const outcome = await readIncomingMessage(incoming(target, {}), {
            publicOrigin: origin,
          }).then(
            (input) => ({ url: input.url }),
            (error: unknown) => ({ error }),
          );
          if (dotted) {
            expect(outcome).toMatchObject({
              error: { code: 'ERR_WEBHOOK_HEADER_MALFORMED', header: ':path' },
            });
          } else {
            // Nothing resolved away: the URL's path is the target as sent.
            expect(outcome).toEqual({ url: `${origin}${target}` });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
