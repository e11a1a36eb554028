// Type-level checks of the public API: the secure fetch is a `fetch`, the composition points are
// structural (a plain object fits each), and options refuse what they should at compile time.
import { createSecureFetch, type ResiliencePolicy, type TokenSource } from '@portcullis/egress';
import { describe, expectTypeOf, it } from 'vitest';

describe('types', () => {
  it('a SecureFetch is usable wherever typeof fetch is expected', () => {
    const secureFetch = createSecureFetch({ allowHosts: ['api.example.com'] });
    expectTypeOf(secureFetch).toExtend<typeof fetch>();
    expectTypeOf(secureFetch.check).returns.resolves.toHaveProperty('addresses');
  });

  it('tokens and resilience are structural', () => {
    expectTypeOf({ getToken: async () => ({ value: 'plain' }) }).toExtend<TokenSource>();
    expectTypeOf({
      execute: <T>(fn: (c: { signal: AbortSignal }) => Promise<T>) =>
        fn({ signal: new AbortController().signal }),
    }).toExtend<ResiliencePolicy>();
    // @ts-expect-error allowHosts is required
    expectTypeOf(() => createSecureFetch({})).toBeFunction();
  });
});
