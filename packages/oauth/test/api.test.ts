// Type-level checks of the public API (checked by `tsc`, and trivially at run time).
import { MemoryStore, type Redacted } from '@portcullis/core';
import {
  type AccessToken,
  type AccessTokenClaims,
  type AccessTokenError,
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  createTokenProvider,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type TokenHandle,
  type TokenProvider,
} from '@portcullis/oauth';
import { describe, expect, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('createTokenProvider returns a TokenProvider whose handles share the TokenHandle shape', () => {
    expectTypeOf(createTokenProvider).returns.toEqualTypeOf<TokenProvider>();
    expectTypeOf<TokenProvider['getToken']>().returns.toEqualTypeOf<Promise<AccessToken>>();
    expectTypeOf<TokenProvider['fetch']>().toEqualTypeOf<typeof fetch>();
    expectTypeOf<TokenProvider['handle']>().returns.toEqualTypeOf<TokenHandle>();
    expectTypeOf<AccessToken['value']>().toEqualTypeOf<Redacted<string>>();
    expectTypeOf<AccessToken['type']>().toEqualTypeOf<'Bearer' | 'DPoP'>();
  });

  it('createAccessTokenVerifier returns claims with parsed scopes', () => {
    expectTypeOf(createAccessTokenVerifier).returns.toEqualTypeOf<AccessTokenVerifier>();
    expectTypeOf<AccessTokenVerifier['verify']>().returns.toEqualTypeOf<
      Promise<AccessTokenClaims>
    >();
    expectTypeOf<AccessTokenClaims['scopes']>().toEqualTypeOf<readonly string[]>();
  });

  it('errors are narrowed by code', () => {
    expectTypeOf<AccessTokenError>().toExtend<OAuthError>();
    expectTypeOf<AccessTokenError['status']>().toEqualTypeOf<number>();
    expectTypeOf<OAuthError['code']>().toEqualTypeOf<OAuthErrorCode>();
    const error: unknown = new OAuthError('ERR_OAUTH_CLOSED', 'closed');
    if (isOAuthError(error)) expectTypeOf(error).toEqualTypeOf<OAuthError>();
  });

  it('options refuse what they do not mean', () => {
    const base = { issuer: 'https://a.example', clientId: 'c' } as const;
    // Refused by the types, and at run time for JavaScript callers.
    expect(() =>
      // @ts-expect-error a client secret method needs a secret
      createTokenProvider({ ...base, clientAuth: { method: 'client_secret_basic' } }),
    ).toThrow(TypeError);
    expect(() =>
      // @ts-expect-error the fleet needs a store
      createTokenProvider({ ...base, clientAuth: { method: 'tls_client_auth' }, fleet: {} }),
    ).toThrow(TypeError);
    const typeOnly = () =>
      // @ts-expect-error exactOptionalPropertyTypes: absent, not undefined
      createTokenProvider({ ...base, clientAuth: { method: 'tls_client_auth' }, scope: undefined });
    expectTypeOf(typeOnly).toBeFunction();
    expectTypeOf(createTokenProvider).toBeCallableWith({
      ...base,
      clientAuth: { method: 'tls_client_auth' },
      fleet: { store: new MemoryStore() },
    });
  });
});
