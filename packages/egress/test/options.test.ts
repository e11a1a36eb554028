// Options are validated once, at construction (core's resolveOptions): wrong types and
// out-of-range values are TypeErrors with Node-style codes, unknown keys are refused with a
// suggestion, and the README's defaults table is the code's DEFAULTS.
import { fileURLToPath } from 'node:url';
import { createSecureFetch, DEFAULTS, type SecureFetchOptions } from '@portcullis/egress';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

function build(options: unknown): () => unknown {
  return () => createSecureFetch(options as SecureFetchOptions);
}

describe('DEFAULTS', () => {
  it('is frozen and matches the README defaults table', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.tls)).toBe(true);
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
  });
});

describe('misuse is a TypeError with a code', () => {
  it.each([
    [undefined, 'ERR_INVALID_ARG_TYPE'],
    [{}, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: 'api.example.com' }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: [] }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: [42] }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: ['a*b.example.com'] }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['*.10.0.0.1'] }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['api.example.com:70000'] }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], maxRedirects: -1 }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], maxRedirects: 1.5 }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], maxResponseBytes: 0 }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], maxResponseBytes: '1mb' }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: ['x'], connectTimeoutMs: Number.NaN }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], allowAddresses: ['10.0.0.0/33'] }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], allowAddresses: ['intranet'] }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], allowLoopbackHttp: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: ['x'], tls: { minVersion: 'TLSv1.1' } }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], tls: { key: 42, cert: 'c' } }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: ['x'], tls: { rejectUnauthorized: false } }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], proxy: 'ftp://proxy.internal' }, 'ERR_INVALID_ARG_VALUE'],
    [{ allowHosts: ['x'], tokens: { token: 'x' } }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: ['x'], resilience: () => {} }, 'ERR_INVALID_ARG_TYPE'],
    [{ allowHosts: ['x'], audit: 'log' }, 'ERR_INVALID_ARG_TYPE'],
  ])('%j → %s', (options, code) => {
    expect(build(options)).toThrow(expect.objectContaining({ name: 'TypeError', code }));
  });

  it('an unknown key is refused, naming the closest known one', () => {
    expect(build({ allowHost: ['x'] })).toThrow(/Unknown option "options.allowHost".*allowHosts/);
    expect(build({ allowHosts: ['x'], tls: { rejectUnauthorized: false } })).toThrow(
      /options\.tls\.rejectUnauthorized/,
    );
  });
});

describe('allowHosts patterns (through check(), no socket)', () => {
  const resolver = async () => [{ address: '93.184.215.14' }];
  const secureFetch = createSecureFetch({
    allowHosts: [
      'API.Example.com.',
      '*.partner.example',
      'bücher.example',
      'ports.example:8443',
      'any-port.example:*',
      '[2606:4700::1111]',
      '0x5db8d70e',
    ],
    resolver,
  });
  const allowed = async (url: string) =>
    secureFetch.check(url).then(
      () => true,
      (e: { code: string }) => {
        if (e.code !== 'ERR_EGRESS_HOST_NOT_ALLOWED') throw e;
        return false;
      },
    );

  it.each([
    ['https://api.example.com/x', true],
    ['https://API.EXAMPLE.COM./x', true],
    ['https://api.example.com:443/x', true],
    ['https://api.example.com:444/x', false],
    ['https://evil-api.example.com/', false],
    ['https://api.example.com.evil.test/', false],
    ['https://a.partner.example/', true],
    ['https://a.b.c.partner.example/', true],
    ['https://partner.example/', false],
    ['https://xpartner.example/', false],
    ['https://xn--bcher-kva.example/', true],
    ['https://ports.example:8443/', true],
    ['https://ports.example/', false],
    ['https://any-port.example:9/', true],
    ['https://[2606:4700:0:0:0:0:0:1111]/', true],
    ['https://93.184.215.14/', true],
    ['https://1572394766/', true],
    ['https://93.184.215.15/', false],
  ])('%s → %s', async (url, expected) => {
    expect(await allowed(url)).toBe(expected);
  });
});
