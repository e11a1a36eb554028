// The SSRF corpus that the npm package `ssrfcheck` ships (tests/data/should-not-pass.js and
// should-pass.js, read from its files), through `check()`: the same ordered checks a request runs
// (URL, scheme, allow-list, literal address, DNS answer), with no socket. The most permissive
// policy a customer-URL sender would use (any host, any port, even loopback http allowed as a
// scheme), and an attacker's DNS that answers 127.0.0.1 for every name: every should-not-pass
// entry is refused with a typed code. Should-pass entries, with names resolving to a public
// address, pass (as https:; plain http: is refused by policy, which the last test pins).
import { createRequire } from 'node:module';
import { createSecureFetch, isEgressError } from '@portcullis/egress';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const shouldNotPass = require('ssrfcheck/tests/data/should-not-pass.js') as string[];
const shouldPass = require('ssrfcheck/tests/data/should-pass.js') as string[];

const REFUSALS = [
  'ERR_EGRESS_INVALID_URL',
  'ERR_EGRESS_INSECURE_SCHEME',
  'ERR_EGRESS_HOST_NOT_ALLOWED',
  'ERR_EGRESS_ADDRESS_REFUSED',
];

function isAbsolute(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

describe('ssrfcheck should-not-pass: every entry refused', () => {
  const attackerDns = async () => [{ address: '127.0.0.1' }];
  const permissive = createSecureFetch({
    allowHosts: ['*:*'],
    allowLoopbackHttp: true,
    resolver: attackerDns,
  });
  const strict = createSecureFetch({ allowHosts: ['*:*'], resolver: attackerDns });

  it('the corpus is there (read from the package, not copied)', () => {
    expect(shouldNotPass.length).toBeGreaterThan(200);
  });

  it.each(shouldNotPass)('%s', async (entry) => {
    for (const secureFetch of [permissive, strict]) {
      const error = await secureFetch.check(entry).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEgressError(error), `${entry} passed`).toBe(true);
      expect(REFUSALS).toContain((error as { code: string }).code);
    }
  });
});

describe('ssrfcheck should-pass: allowed', () => {
  const secureFetch = createSecureFetch({
    allowHosts: ['*:*'],
    resolver: async () => [{ address: '93.184.215.14' }],
  });
  const absolute = shouldPass.filter(isAbsolute);

  it.each(absolute)('%s (as https:)', async (entry) => {
    const url = new URL(entry);
    url.protocol = 'https:';
    const target = await secureFetch.check(url);
    expect(target.addresses).toHaveLength(1);
  });

  it('the entries that are not absolute URLs are refused as invalid, not guessed at', async () => {
    const relative = shouldPass.filter((e) => !isAbsolute(e));
    expect(relative.length).toBeGreaterThan(10);
    for (const entry of relative) {
      await expect(secureFetch.check(entry)).rejects.toMatchObject({
        code: 'ERR_EGRESS_INVALID_URL',
      });
    }
  });

  it('as plain http: they are refused by the https-only policy', async () => {
    await expect(secureFetch.check('http://foo.com/blah_blah')).rejects.toMatchObject({
      code: 'ERR_EGRESS_INSECURE_SCHEME',
    });
  });
});
