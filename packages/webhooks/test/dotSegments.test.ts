// Twilio signs the URL it called. The framework routes on the raw request target, but URL
// parsing resolves dot segments: a delivery signed for /sms-inbound, posted to
// /voice/../sms-inbound, is routed to /voice/* and would verify there. One auth token covers the
// whole account, so a path whose dot segments (plain or percent-encoded) change it is refused.
import { Readable } from 'node:stream';
import { createSigner, createVerifier, readIncomingMessage, schemes } from '@portcullis/webhooks';
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
});
