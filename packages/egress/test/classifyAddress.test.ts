// classifyAddress: every notation of a refused address is refused, IPv4 embedded in IPv6 (mapped,
// NAT64, 6to4, Teredo, IPv4-compatible) is judged by the embedded address, and public addresses
// are global in every form too. Property tests: any IPv4 address classifies the same in each of
// its notations and in each IPv6 embedding.
import { classifyAddress } from '@portcullis/egress';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const METADATA_FORMS = [
  '169.254.169.254',
  '0xa9fea9fe',
  '2852039166',
  '0251.0376.0251.0376',
  '0xa9.0xfe.0xa9.0xfe',
  '169.254.43518',
  '169.16689662',
  '::ffff:169.254.169.254',
  '::ffff:a9fe:a9fe',
  '[::ffff:a9fe:a9fe]',
  '0:0:0:0:0:ffff:a9fe:a9fe',
  '::ffff:0:a9fe:a9fe',
  '64:ff9b::a9fe:a9fe',
  '64:ff9b::169.254.169.254',
  '64:ff9b:1::a9fe:a9fe',
  '2002:a9fe:a9fe::1',
  '2001:0:4136:e378:8000:63bf:5601:5601', // Teredo, client 169.254.169.254 (obfuscated)
  '2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7', // Teredo, server 169.254.169.254, client 8.8.8.8
  '::a9fe:a9fe',
  '::169.254.169.254',
];

describe('refused in every notation', () => {
  it.each(METADATA_FORMS)('%s is link-local', (form) => {
    expect(classifyAddress(form)).toMatchObject({ range: 'linkLocal', global: false });
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['127.1', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['012.0.0.1', 'private'],
    ['167772161', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.0.1', 'private'],
    ['3232235521', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::', 'private'],
  ])('%s is %s', (form, range) => {
    expect(classifyAddress(form)).toMatchObject({ range, global: false });
  });
});

describe('public addresses pass in every form', () => {
  it.each([
    '8.8.8.8',
    '0x08080808',
    '134744072',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:0:808:808:8000:63bf:f7f7:f7f7',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
  ])('%s is global', (form) => {
    expect(classifyAddress(form)?.global).toBe(true);
  });

  it('text that is not an address is undefined', () => {
    for (const text of ['', 'example.com', '1.2.3.4.5', '::g', '[::1', '256.1.1.1.1']) {
      expect(classifyAddress(text)).toBeUndefined();
    }
  });
});

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const hex16 = (a: number, b: number): string => ((a << 8) | b).toString(16);

describe('properties', () => {
  it('an IPv4 address classifies the same in decimal, octal, hex and as one number', () => {
    fc.assert(
      fc.property(v4, ([a, b, c, d]) => {
        const dotted = classifyAddress(`${a}.${b}.${c}.${d}`);
        const number = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
        for (const form of [
          `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`,
          `0x${a.toString(16)}.0x${b.toString(16)}.0x${c.toString(16)}.0x${d.toString(16)}`,
          String(number),
        ]) {
          expect(classifyAddress(form)).toEqual(dotted);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every IPv6 embedding of an IPv4 address has the IPv4 range and verdict', () => {
    fc.assert(
      fc.property(v4, ([a, b, c, d]) => {
        const plain = classifyAddress(`${a}.${b}.${c}.${d}`);
        const hi = hex16(a, b);
        const lo = hex16(c, d);
        const nhi = hex16(255 - a, 255 - b);
        const nlo = hex16(255 - c, 255 - d);
        for (const form of [
          `::ffff:${hi}:${lo}`,
          `::ffff:0:${hi}:${lo}`,
          `64:ff9b::${hi}:${lo}`,
          `2002:${hi}:${lo}::1`,
          `2001:0:808:808:8000:63bf:${nhi}:${nlo}`,
        ]) {
          const embedded = classifyAddress(form);
          expect(embedded?.range).toBe(plain?.range);
          expect(embedded?.global).toBe(plain?.global);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const result = classifyAddress(text);
        expect(result === undefined || typeof result.global === 'boolean').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
