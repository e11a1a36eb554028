import { inspect } from 'node:util';
import {
  clientAddress,
  createSourceFilter,
  isSourceError,
  SourceError,
} from '@portcullis/ratelimit/source';
import { describe, expect, it } from 'vitest';

const refusedWith = (code: string) => expect.objectContaining({ code, status: 403 });

describe('clientAddress', () => {
  it('is the socket peer by default, whatever X-Forwarded-For says', () => {
    const source = { remoteAddress: '198.51.100.7', headers: { 'x-forwarded-for': '10.0.0.1' } };
    expect(clientAddress(source)).toBe('198.51.100.7');
  });

  it('behind N trusted proxies, the N-th entry from the right; the client-written part is never read', () => {
    const headers = { 'x-forwarded-for': 'garbage, 1.1.1.1, 203.0.113.7, 10.0.0.2' };
    const source = { remoteAddress: '10.0.0.3', headers };
    expect(clientAddress(source, { trustedProxyHops: 1 })).toBe('10.0.0.2');
    expect(clientAddress(source, { trustedProxyHops: 2 })).toBe('203.0.113.7');
    expect(clientAddress(source, { trustedProxyHops: 3 })).toBe('1.1.1.1');
    expect(() => clientAddress(source, { trustedProxyHops: 4 })).toThrow(
      refusedWith('ERR_SOURCE_ADDRESS_UNKNOWN'),
    );
    expect(() => clientAddress(source, { trustedProxyHops: 5 })).toThrow(
      refusedWith('ERR_SOURCE_ADDRESS_UNKNOWN'),
    );
  });

  it('a header sent twice is one list, in order (Node arrays, Fetch Headers, mixed case keys)', () => {
    const asArray = {
      remoteAddress: '10.0.0.3',
      headers: { 'x-forwarded-for': ['6.6.6.6', '203.0.113.7'] },
    };
    expect(clientAddress(asArray, { trustedProxyHops: 1 })).toBe('203.0.113.7');
    const fetchHeaders = new Headers();
    fetchHeaders.append('X-Forwarded-For', '6.6.6.6');
    fetchHeaders.append('X-Forwarded-For', '203.0.113.7');
    expect(
      clientAddress({ remoteAddress: undefined, headers: fetchHeaders }, { trustedProxyHops: 1 }),
    ).toBe('203.0.113.7');
    const mixed = { remoteAddress: '10.0.0.3', headers: { 'X-Forwarded-For': '203.0.113.7' } };
    expect(clientAddress(mixed, { trustedProxyHops: 1 })).toBe('203.0.113.7');
  });

  it('no header behind a proxy, no socket address, or a malformed entry: ERR_SOURCE_ADDRESS_UNKNOWN', () => {
    const unknown = refusedWith('ERR_SOURCE_ADDRESS_UNKNOWN');
    expect(() => clientAddress({ remoteAddress: '10.0.0.3' }, { trustedProxyHops: 1 })).toThrow(
      unknown,
    );
    expect(() => clientAddress({ remoteAddress: undefined })).toThrow(unknown);
    for (const entry of ['', 'unknown', '1.2.3', '0x7f.0.0.1', '017.0.0.1', '1.2.3.4.5', '::g']) {
      const source = { remoteAddress: '10.0.0.3', headers: { 'x-forwarded-for': entry } };
      expect(() => clientAddress(source, { trustedProxyHops: 1 }), entry).toThrow(unknown);
    }
  });

  it('normalises IPv4-mapped IPv6, brackets and ports, and IPv6 forms', () => {
    expect(clientAddress({ remoteAddress: '::ffff:192.0.2.1' })).toBe('192.0.2.1');
    expect(clientAddress({ remoteAddress: '2001:DB8:0:0::1' })).toBe('2001:db8::1');
    const xff = (value: string) => ({
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': value },
    });
    expect(clientAddress(xff('[2001:db8::5]:443'), { trustedProxyHops: 1 })).toBe('2001:db8::5');
    expect(clientAddress(xff('192.0.2.9:51234'), { trustedProxyHops: 1 })).toBe('192.0.2.9');
  });

  it('refuses bad options', () => {
    for (const trustedProxyHops of [-1, 1.5, 33, Number.NaN]) {
      expect(() => clientAddress({ remoteAddress: '10.0.0.1' }, { trustedProxyHops })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    }
    expect(() => clientAddress({ remoteAddress: '10.0.0.1' }, { hops: 1 } as never)).toThrow(
      /Unknown option/,
    );
  });
});

describe('createSourceFilter', () => {
  it('allow-list: IPv4 and IPv6 CIDR, single addresses, IPv4-mapped peers', () => {
    const filter = createSourceFilter({ allow: ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7'] });
    expect(filter.check({ remoteAddress: '192.0.2.200' })).toBe('192.0.2.200');
    expect(filter.check({ remoteAddress: '::ffff:192.0.2.1' })).toBe('192.0.2.1');
    expect(filter.check({ remoteAddress: '2001:db8:ffff::1' })).toBe('2001:db8:ffff::1');
    expect(filter.check({ remoteAddress: '198.51.100.7' })).toBe('198.51.100.7');
    for (const remoteAddress of ['192.0.3.1', '198.51.100.8', '2001:db9::1', '::1']) {
      expect(() => filter.check({ remoteAddress }), remoteAddress).toThrow(
        refusedWith('ERR_SOURCE_FORBIDDEN'),
      );
    }
  });

  it('deny wins over allow; with no allow-list everything not denied passes; empty allow-list passes nothing', () => {
    const filter = createSourceFilter({ allow: ['10.0.0.0/8'], deny: ['10.6.6.0/24'] });
    expect(filter.allows('10.1.2.3')).toBe(true);
    expect(filter.allows('10.6.6.6')).toBe(false);
    const denyOnly = createSourceFilter({ deny: ['2001:db8::/32'] });
    expect(denyOnly.allows('192.0.2.1')).toBe(true);
    expect(denyOnly.allows('2001:db8::1')).toBe(false);
    expect(createSourceFilter({ allow: [] }).allows('192.0.2.1')).toBe(false);
    expect(filter.allows('not an address')).toBe(false);
  });

  it('per-key lists; an unknown key is a TypeError, never a silent pass', () => {
    const filter = createSourceFilter({
      deny: ['0.0.0.0/0', '::/0'],
      byKey: { stripe: { allow: ['3.18.12.63'] }, partner: { allow: ['203.0.113.0/24'] } },
    });
    expect(filter.check({ remoteAddress: '3.18.12.63' }, 'stripe')).toBe('3.18.12.63');
    expect(() => filter.check({ remoteAddress: '3.18.12.63' }, 'partner')).toThrow(SourceError);
    expect(() => filter.check({ remoteAddress: '3.18.12.63' })).toThrow(SourceError);
    expect(() => filter.check({ remoteAddress: '3.18.12.63' }, 'strpie')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });

  it('behind a trusted proxy, a forged leftmost entry does not get through', () => {
    const filter = createSourceFilter({ allow: ['203.0.113.0/24'], trustedProxyHops: 1 });
    const forged = {
      remoteAddress: '10.0.0.5',
      headers: { 'x-forwarded-for': '203.0.113.1, 192.0.2.66' },
    };
    expect(() => filter.check(forged)).toThrow(refusedWith('ERR_SOURCE_FORBIDDEN'));
  });

  it('refuses malformed ranges at construction, naming the entry', () => {
    for (const bad of [
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0/8',
      '10.0.0.0/',
      '10.0.0.0/-1',
      'x',
    ]) {
      expect(() => createSourceFilter({ allow: [bad] }), bad).toThrow(/options\.allow\[0\]/);
    }
    expect(() => createSourceFilter({ deny: 'x' as never })).toThrow(/options\.deny/);
    expect(() => createSourceFilter({ byKey: { a: { allow: ['1.2.3.4/40'] } } })).toThrow(
      /options\.byKey\.a\.allow\[0\]/,
    );
    expect(() => createSourceFilter({ alow: [] } as never)).toThrow(/did you mean "allow"/i);
  });

  it('the error says nothing about the lists and is a typed 403', () => {
    const filter = createSourceFilter({ allow: ['10.99.0.0/16'] });
    const error = (() => {
      try {
        filter.check({ remoteAddress: '192.0.2.1' });
      } catch (e) {
        return e;
      }
    })();
    expect(isSourceError(error, 'ERR_SOURCE_FORBIDDEN')).toBe(true);
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain('10.99');
  });
});
