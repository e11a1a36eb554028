// The SSRF corpus through the real fetch on real sockets: ssrfcheck's should-not-pass list, the
// cloud metadata address in every notation and IPv6 embedding, and names that resolve (through
// the injected resolver) to every refused kind of address. All are refused with a typed code and
// none reaches the loopback server that stands where they point; the same server is reachable
// through an allowed name, so the refusals are the policy's and not a dead port.
import { createRequire } from 'node:module';
import { createSecureFetch, isEgressError } from '@portcullis/egress';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Origin, startOrigin } from '../harness/httpOrigin.ts';

const require = createRequire(import.meta.url);
const shouldNotPass = require('ssrfcheck/tests/data/should-not-pass.js') as string[];

const REFUSALS = new Set([
  'ERR_EGRESS_INVALID_URL',
  'ERR_EGRESS_INSECURE_SCHEME',
  'ERR_EGRESS_HOST_NOT_ALLOWED',
  'ERR_EGRESS_ADDRESS_REFUSED',
]);

let origin: Origin;
beforeAll(async () => {
  origin = await startOrigin();
});
afterAll(async () => {
  await origin?.close();
});

async function expectRefused(secureFetch: typeof fetch, url: string): Promise<string> {
  const error = await secureFetch(url).then(
    async (r) => {
      await r.body?.cancel();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(isEgressError(error), `${url} was not refused`).toBe(true);
  const code = (error as { code: string }).code;
  expect(REFUSALS.has(code), `${url}: ${code}`).toBe(true);
  return code;
}

describe('refused, with no socket to the server', () => {
  // Any host, any port; loopback http allowed as a scheme; every name resolves to the server's
  // own address (127.0.0.1): only the address check stands between these URLs and the server.
  const make = () =>
    createSecureFetch({
      allowHosts: ['*:*'],
      allowLoopbackHttp: true,
      resolver: async () => [{ address: '127.0.0.1' }],
    });

  it("ssrfcheck's should-not-pass list, every entry (also aimed at the server's port)", async () => {
    const secureFetch = make();
    const before = origin.connections;
    try {
      for (const entry of shouldNotPass) {
        await expectRefused(secureFetch, entry);
        // The same entry pointed at the live port: still refused.
        try {
          const url = new URL(entry);
          if (url.protocol === 'http:' || url.protocol === 'https:') {
            url.port = String(origin.port);
            await expectRefused(secureFetch, url.href);
          }
        } catch {
          // not a URL: already refused above
        }
      }
      expect(origin.connections).toBe(before);
    } finally {
      await secureFetch.close();
    }
  });

  it('the cloud metadata address in every notation and IPv6 form', async () => {
    const secureFetch = make();
    const forms = [
      '169.254.169.254',
      '0xa9fea9fe',
      '2852039166',
      '0251.0376.0251.0376',
      '169.254.43518',
      '[::ffff:169.254.169.254]',
      '[::ffff:a9fe:a9fe]',
      '[0:0:0:0:0:ffff:a9fe:a9fe]',
      '[64:ff9b::a9fe:a9fe]',
      '[64:ff9b:1::a9fe:a9fe]',
      '[2002:a9fe:a9fe::]',
      '[2001:0:4136:e378:8000:63bf:5601:5601]',
      '[::a9fe:a9fe]',
      '[fd00:ec2::254]',
    ];
    try {
      for (const form of forms) {
        for (const scheme of ['https', 'http']) {
          const code = await expectRefused(
            secureFetch,
            `${scheme}://${form}:${origin.port}/latest/meta-data/iam/security-credentials/`,
          );
          expect(code).toBe('ERR_EGRESS_ADDRESS_REFUSED');
        }
      }
    } finally {
      await secureFetch.close();
    }
  });

  it('names whose DNS answer is any refused kind of address', async () => {
    const answers = [
      '127.0.0.1',
      '0177.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
    ];
    const before = origin.connections;
    for (const answer of answers) {
      const secureFetch = createSecureFetch({
        allowHosts: ['*:*'],
        allowLoopbackHttp: true,
        resolver: async () => [{ address: answer }],
      });
      try {
        const error = await secureFetch(`http://rebound.attacker.test:${origin.port}/`).catch(
          (e: unknown) => e,
        );
        expect(isEgressError(error, 'ERR_EGRESS_ADDRESS_REFUSED'), answer).toBe(true);
      } finally {
        await secureFetch.close();
      }
    }
    expect(origin.connections).toBe(before);
  });
});

it('an allowed host reaches the same server (the refusals above were the policy)', async () => {
  const secureFetch = createSecureFetch({
    allowHosts: [`partner.test:${origin.port}`],
    allowLoopbackHttp: true,
    allowAddresses: ['127.0.0.1'],
    resolver: async () => [{ address: '127.0.0.1' }],
  });
  try {
    const response = await secureFetch(`http://partner.test:${origin.port}/`);
    expect(await response.json()).toEqual({ ok: true });
  } finally {
    await secureFetch.close();
  }
});
