// Properties of the X-Forwarded-For reading: whatever the client writes to the left of the hops
// your proxies add, the answer is the address your outermost trusted proxy saw; splitting the
// header into several field lines changes nothing; nothing but a SourceError escapes.
import { clientAddress, isSourceError } from '@portcullis/ratelimit/source';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6().filter((a) => !a.includes('.'));
const address = fc.oneof(ipv4, ipv6);
const normal = (a: string): string => clientAddress({ remoteAddress: a });
const junk = fc.oneof(
  fc.string(),
  address,
  fc.constantFrom('unknown', '', ' ', '[::1]:99', '1.2.3.4:80', '0x7f000001'),
);

describe('X-Forwarded-For', () => {
  it('the answer is the client-side address of the outermost trusted hop, whatever the client prepends', () => {
    fc.assert(
      fc.property(
        fc.array(
          junk.filter((s) => !s.includes(',')),
          { maxLength: 6 },
        ),
        address,
        fc.array(address, { maxLength: 5 }),
        address,
        (clientWritten, client, proxiesSaw, peer) => {
          // Our proxies appended `client` (what the first saw) and then each later hop.
          const entries = [...clientWritten, client, ...proxiesSaw];
          const hops = proxiesSaw.length + 1;
          const headers = { 'x-forwarded-for': entries.join(', ') };
          expect(clientAddress({ remoteAddress: peer, headers }, { trustedProxyHops: hops })).toBe(
            normal(client),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one header or the same list split over several field lines: the same answer', () => {
    fc.assert(
      fc.property(
        fc.array(address, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 8 }),
        (entries, cut, hops) => {
          const at = cut % (entries.length + 1);
          const joined = { 'x-forwarded-for': entries.join(', ') };
          const split = {
            'x-forwarded-for': [
              entries.slice(0, at).join(', '),
              entries.slice(at).join(', '),
            ].filter((s) => s.length > 0),
          };
          const h = new Headers();
          for (const line of split['x-forwarded-for']) h.append('x-forwarded-for', line);
          const answer = (headers: never) => {
            try {
              return clientAddress(
                { remoteAddress: '10.0.0.1', headers },
                { trustedProxyHops: hops },
              );
            } catch (error) {
              expect(isSourceError(error, 'ERR_SOURCE_ADDRESS_UNKNOWN')).toBe(true);
              return 'unknown';
            }
          };
          const expected = answer(joined as never);
          expect(answer(split as never)).toBe(expected);
          expect(answer(h as never)).toBe(expected);
          expect(expected).toBe(
            hops <= entries.length ? normal(entries[entries.length - hops] as string) : 'unknown',
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('arbitrary header text: an address or ERR_SOURCE_ADDRESS_UNKNOWN, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.array(fc.string())),
        fc.option(fc.string(), { nil: undefined }),
        fc.integer({ min: 0, max: 32 }),
        (header, peer, hops) => {
          try {
            const out = clientAddress(
              { remoteAddress: peer, headers: { 'x-forwarded-for': header } },
              { trustedProxyHops: hops },
            );
            expect(normal(out)).toBe(out); // a normalised address, stable under re-parsing
          } catch (error) {
            expect(isSourceError(error, 'ERR_SOURCE_ADDRESS_UNKNOWN')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
